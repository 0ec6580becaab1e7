using CnnLab.Data;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// A study's data as its runs see it: the dataset the file names, its training split cut to the study's limit, and
/// standardised when the study asks (statistics of those training images, applied to the test split too). The
/// study command, its workers and its report all open it this way, so they agree on every image.
/// </summary>
public sealed class StudyData : IDisposable
{
    private readonly DataSplits _source;
    private readonly Dataset? _limited;

    private StudyData(DataSplits source, Dataset? limited, DataSplits splits)
    {
        _source = source;
        _limited = limited;
        Splits = splits;
    }

    /// <summary>The splits the runs train and test on.</summary>
    public DataSplits Splits { get; }

    /// <summary>Opens the study's dataset (files, cache or download, as <see cref="DatasetSource"/> finds it).</summary>
    public static StudyData Open(StudyDefinition study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var data = DatasetSource.Open(study.Dataset.Name, study.Dataset.DataDir, shuffle: study.Dataset.Shuffle);
        var limited = study.Dataset.Limit is int n ? data.Train.Take(n) : null;
        var splits = limited is null ? data : data with { Train = limited };
        return new StudyData(data, limited, splits);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _limited?.Dispose();
        _source.Dispose();
    }
}
