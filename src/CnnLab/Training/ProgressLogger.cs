using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace CnnLab.Training;

/// <summary>
/// Keras' progress bar, counted in samples: "29400/42000 [====>...] - ETA: 12s - loss: ... - accuracy: ...",
/// then the validation metrics at the end of the epoch. On a terminal the bar redraws in place a few
/// times a second; when output is redirected (CI, a file) only the final line of each epoch is written,
/// with no control characters.
/// </summary>
public sealed class ProgressLogger : Callback
{
    private const int BarWidth = 30;
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(200);
    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private readonly Stopwatch _epochClock = new();
    private TimeSpan _lastDraw;
    private int _lastWidth;

    /// <summary>Writes to <paramref name="writer"/>; <paramref name="interactive"/>
    /// chooses redraw-in-place or one line per epoch.</summary>
    public ProgressLogger(TextWriter writer, bool interactive)
    {
        _writer = writer;
        _interactive = interactive;
    }

    /// <summary>A logger on the console, interactive unless output is redirected.</summary>
    public static ProgressLogger ForConsole() => new(Console.Out, !Console.IsOutputRedirected);

    /// <inheritdoc />
    public override void OnEpochBegin(TrainingContext context, int epoch)
    {
        _writer.WriteLine($"Epoch {epoch + 1}/{context.Epochs}");
        _epochClock.Restart();
        _lastDraw = TimeSpan.Zero;
        _lastWidth = 0;
    }

    /// <inheritdoc />
    public override void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (!_interactive)
        {
            return;
        }
        var elapsed = _epochClock.Elapsed;
        var last = batch + 1 == context.BatchesPerEpoch;
        if (!last && elapsed - _lastDraw < RefreshInterval)
        {
            return;
        }
        _lastDraw = elapsed;
        var seen = (int)logs["samples"];
        var eta = seen > 0 ? elapsed.TotalSeconds * (context.TrainSamples - seen) / seen : 0;
        var line = Bar(seen, context.TrainSamples) + $" - ETA: {FormatSeconds(eta)}" + Metrics(logs);
        _writer.Write("\r" + line.PadRight(_lastWidth));
        _lastWidth = line.Length;
        _writer.Flush();
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> logs)
    {
        var seconds = _epochClock.Elapsed.TotalSeconds;
        var perStep = seconds * 1000 / Math.Max(1, context.BatchesPerEpoch);
        var line = Bar(context.TrainSamples, context.TrainSamples) +
                   string.Create(CultureInfo.InvariantCulture, $" - {FormatSeconds(seconds)} {perStep:F0}ms/step") + Metrics(logs);
        _writer.WriteLine((_interactive ? "\r" : "") + line.PadRight(_interactive ? _lastWidth : 0));
        _writer.Flush();
    }

    internal static string Bar(int done, int total)
    {
        var width = total.ToString(CultureInfo.InvariantCulture).Length;
        var filled = total == 0 ? BarWidth : (int)((long)BarWidth * done / total);
        var bar = new StringBuilder(BarWidth);
        bar.Append('=', Math.Max(0, done < total ? filled - 1 : filled));
        if (done < total)
        {
            bar.Append('>');
        }
        bar.Append('.', BarWidth - bar.Length);
        return $"{done.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{total} [{bar}]";
    }

    private static string Metrics(IReadOnlyDictionary<string, double> logs) => string.Concat(logs
        .Where(kv => kv.Key != "samples")
        .Select(kv => $" - {kv.Key}: {FormatValue(kv.Value)}"));

    /// <summary>Keras' progress-bar number format: 4 decimals, or 4 significant
    /// digits in exponent form below 1e-3 (small learning rates).</summary>
    internal static string FormatValue(double value) => Math.Abs(value) > 1e-3 || value == 0
        ? value.ToString("F4", CultureInfo.InvariantCulture)
        : value.ToString("0.0000e+00", CultureInfo.InvariantCulture);

    private static string FormatSeconds(double seconds) => seconds >= 3600
        ? $"{(int)(seconds / 3600)}:{(int)(seconds % 3600 / 60):00}:{(int)(seconds % 60):00}"
        : seconds >= 60 ? $"{(int)(seconds / 60)}:{(int)(seconds % 60):00}" : $"{(int)Math.Round(seconds)}s";
}
