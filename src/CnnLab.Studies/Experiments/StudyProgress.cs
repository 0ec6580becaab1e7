using System.Globalization;
using CnnLab.Training;

namespace CnnLab.Studies.Experiments;

/// <summary>One line per epoch for the whole study: run k of n, its name, the seed, the epoch, its metrics and the study's ETA;
/// and the run-seed's <see cref="EpochLog"/>.</summary>
internal sealed class StudyProgress : Callback
{
    private readonly TextWriter _log;
    private readonly int _index;
    private readonly int _count;
    private readonly string _run;
    private readonly int _seed;
    private readonly Func<TimeSpan> _epochFinished;

    private readonly string _folder;

    public StudyProgress(TextWriter log, int index, int count, string run, int seed, Func<TimeSpan> epochFinished, string folder)
    {
        _folder = folder;
        _log = log;
        _index = index;
        _count = count;
        _run = run;
        _seed = seed;
        _epochFinished = epochFinished;
    }

    public override void OnEpochEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> logs)
    {
        EpochLog.Append(_folder, context, epoch, logs);
        var eta = _epochFinished();
        var metrics = string.Join(" - ", logs.Select(kv => $"{kv.Key}: {ProgressLogger.FormatValue(kv.Value)}"));
        _log.WriteLine($"[run {_index}/{_count}] {_run}, seed {_seed}, epoch {epoch + 1}/{context.Epochs} - {metrics} - study ETA " +
            $"{eta:hh\\:mm\\:ss}");
    }
}
