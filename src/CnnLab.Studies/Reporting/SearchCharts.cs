using ScottPlot;

namespace CnnLab.Studies.Reporting;

/// <summary>
/// PNG charts of a search: one parameter against the objective, every parameter at once (parallel coordinates), and
/// the objective against training time with the trials no other beats on both.
/// </summary>
public static class SearchCharts
{
    /// <summary>
    /// Each trial's value of one parameter (x; a choice's index, labelled with its values) against its score (y);
    /// <paramref name="log"/> spaces a log-scale parameter by its logarithm.
    /// </summary>
    public static byte[] Parameter(string name, string objective, IReadOnlyList<(double Value, double Score)> points, bool log,
        IReadOnlyList<string>? choiceLabels = null, int width = 560, int height = 360)
    {
        ArgumentNullException.ThrowIfNull(points);
        var plot = new Plot();
        var xs = points.Select(p => log ? Math.Log10(p.Value) : p.Value).ToArray();
        var dots = plot.Add.ScatterPoints(xs, points.Select(p => p.Score).ToArray());
        dots.MarkerSize = 7;
        dots.Color = new ScottPlot.Palettes.Category10().GetColor(0).WithAlpha(0.7);
        if (choiceLabels is not null)
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                choiceLabels.Select((label, i) => new Tick(i, label.Length > 18 ? label[..18] + "..." : label)).ToArray());
        }
        Charts.Style(plot, name, log ? $"log10({name})" : name, objective);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>
    /// Parallel coordinates: one vertical axis per parameter (its range scaled to 0-1), one line per trial through its
    /// values, coloured from grey (worst score) to blue (best), the best drawn last so they stay on top.
    /// </summary>
    public static byte[] ParallelCoordinates(IReadOnlyList<string> axes, IReadOnlyList<(IReadOnlyList<double> Unit, double Score)> trials,
        int width = 1000, int height = 460)
    {
        ArgumentNullException.ThrowIfNull(axes);
        ArgumentNullException.ThrowIfNull(trials);
        var plot = new Plot();
        var (low, high) = trials.Count == 0 ? (0.0, 1.0) : (trials.Min(t => t.Score), trials.Max(t => t.Score));
        foreach (var (unit, score) in trials.OrderBy(t => t.Score))
        {
            var share = high > low ? (score - low) / (high - low) : 1;
            var line = plot.Add.Scatter(Enumerable.Range(0, axes.Count).Select(i => (double)i).ToArray(), unit.ToArray());
            line.Color = Colors.Gray.MixedWith(Colors.RoyalBlue, share).WithAlpha(0.35 + 0.6 * share);
            line.LineWidth = (float)(1 + 2 * share);
            line.MarkerSize = 0;
        }
        for (var i = 0; i < axes.Count; i++)
        {
            var axis = plot.Add.VerticalLine(i);
            axis.Color = Colors.Black.WithAlpha(0.5);
            axis.LineWidth = 1;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            axes.Select((a, i) => new Tick(i, a.Length > 22 ? a[..22] + "..." : a)).ToArray());
        plot.Axes.SetLimitsY(-0.05, 1.05);
        Charts.Style(plot, "Every trial through its parameters (blue: best score)", "", "position in the parameter's range");
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>
    /// Each trial's training seconds (x) against its score (y); the Pareto front (<see cref="Search.ParetoFront"/>) drawn as
    /// a step line through its trials, each labelled with its number; <paramref name="limit"/> (max_train_seconds) as a
    /// vertical line when set.
    /// </summary>
    public static byte[] TimeAndScore(string objective, IReadOnlyList<(int Trial, double Seconds, double Score)> trials,
        IReadOnlyList<(int Trial, double Seconds, double Score)> front, double? limit, int width = 760, int height = 420)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(front);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var dots = plot.Add.ScatterPoints(trials.Select(t => t.Seconds).ToArray(), trials.Select(t => t.Score).ToArray());
        dots.MarkerSize = 7;
        dots.Color = Colors.Gray.WithAlpha(0.7);
        dots.LegendText = "trial";
        if (front.Count > 0)
        {
            var line = plot.Add.Scatter(front.Select(t => t.Seconds).ToArray(), front.Select(t => t.Score).ToArray());
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.Color = palette.GetColor(0);
            line.LineWidth = 2;
            line.MarkerSize = 9;
            line.LegendText = "front: no trial is faster and better";
            foreach (var (trial, seconds, score) in front)
            {
                var label = plot.Add.Text(trial.ToString(System.Globalization.CultureInfo.InvariantCulture), seconds, score);
                label.LabelFontSize = 12;
                label.LabelFontName = Charts.Font;
                label.LabelOffsetX = 6;
                label.LabelOffsetY = -18;
            }
        }
        if (limit is { } max)
        {
            var wall = plot.Add.VerticalLine(max);
            wall.Color = palette.GetColor(3);
            wall.LinePattern = LinePattern.Dashed;
            wall.LegendText = "max_train_seconds";
        }
        Charts.Style(plot, $"{objective} against training time (each trial trained to the end)", "training seconds", objective);
        plot.ShowLegend(Edge.Bottom);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
