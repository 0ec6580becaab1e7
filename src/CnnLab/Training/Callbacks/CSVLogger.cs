using System.Globalization;
using System.Text;

namespace CnnLab.Training.Callbacks;

/// <summary>
/// Keras' CSVLogger: one row per epoch (epoch from 0, then the metrics in sorted order), flushed as each epoch
/// ends so a killed run keeps its rows. With append, or when the Fit resumes from a checkpoint, an existing file is continued.
/// </summary>
public sealed class CSVLogger : Callback, IDisposable
{
    private StreamWriter? _writer;
    private List<string>? _keys;

    /// <summary>Creates the logger; the separator is one character other than a quote or a line break.</summary>
    public CSVLogger(string filename, char separator = ',', bool append = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(filename);
        if (separator is '"' or '\n' or '\r')
        {
            throw new ArgumentException($"Invalid value for argument `separator`. Expected a character other than a quote or a line " +
                $"break. Received: {(int)separator}", nameof(separator));
        }
        Filename = filename;
        Separator = separator;
        Append = append;
    }

    /// <summary>The CSV file.</summary>
    public string Filename { get; }

    /// <summary>The column separator.</summary>
    public char Separator { get; }

    /// <summary>Whether an existing file is continued rather than replaced.</summary>
    public bool Append { get; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        Dispose();
        var directory = Path.GetDirectoryName(Path.GetFullPath(Filename));
        Directory.CreateDirectory(directory!);
        var continuing = (Append || context.InitialEpoch > 0) && File.Exists(Filename) && new FileInfo(Filename).Length > 0;
        _keys = continuing ? File.ReadLines(Filename).First().Split(Separator).Skip(1).ToList() : null;
        _writer = new StreamWriter(Filename, continuing, new UTF8Encoding(false));
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> logs)
    {
        var writer = _writer ?? throw new InvalidOperationException("CSVLogger received an epoch before training began.");
        if (_keys is null)
        {
            _keys = logs.Keys.Order(StringComparer.Ordinal).ToList();
            writer.WriteLine("epoch" + Separator + string.Join(Separator, _keys));
        }
        var row = new StringBuilder(epoch.ToString(CultureInfo.InvariantCulture));
        foreach (var key in _keys)
        {
            row.Append(Separator);
            if (logs.TryGetValue(key, out var value))
            {
                row.Append(value.ToString("R", CultureInfo.InvariantCulture));
            }
        }
        writer.WriteLine(row);
        writer.Flush();
    }

    /// <inheritdoc />
    public override void OnTrainEnd(TrainingContext context) => Dispose();

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
