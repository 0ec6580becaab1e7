using System.Globalization;
using System.Text;

namespace CnnLab.Metrics;

/// <summary>Precision, recall and F1 of one class, and how many test samples have it (support).</summary>
public sealed record ClassMetrics(string Name, double Precision, double Recall, double F1, long Support);

/// <summary>
/// scikit-learn's classification_report for integer labels: accuracy, per-class precision / recall / F1 with support,
/// their macro averages, and the confusion matrix (rows: true class, columns: predicted). A class never predicted has
/// precision 0, as scikit-learn reports it with zero_division=0. The one computation of these numbers: <c>cnnlab
/// evaluate</c>, a study's test of each run and the study report's per-class table all use it.
/// </summary>
public sealed record ClassificationReport(double Accuracy, IReadOnlyList<ClassMetrics> Classes, long[][] Confusion)
{
    /// <summary>Mean of the per-class precisions.</summary>
    public double MacroPrecision => Classes.Average(c => c.Precision);

    /// <summary>Mean of the per-class recalls.</summary>
    public double MacroRecall => Classes.Average(c => c.Recall);

    /// <summary>Mean of the per-class F1 scores.</summary>
    public double MacroF1 => Classes.Average(c => c.F1);

    /// <summary>Computes the report; <paramref name="actual"/> and <paramref name="predicted"/> are labels in [0, classes).</summary>
    public static ClassificationReport Compute(IReadOnlyList<long> actual, IReadOnlyList<long> predicted, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(classNames);
        if (actual.Count != predicted.Count)
        {
            throw new ArgumentException($"{actual.Count} true labels but {predicted.Count} predictions; they must pair up.",
                nameof(predicted));
        }
        var k = classNames.Count;
        var confusion = Enumerable.Range(0, k).Select(_ => new long[k]).ToArray();
        for (var i = 0; i < actual.Count; i++)
        {
            confusion[actual[i]][predicted[i]]++;
        }
        return FromConfusion(confusion, classNames);
    }

    /// <summary>
    /// The report of a confusion matrix (rows: true class, columns: predicted), such as several seeds' matrices
    /// <see cref="Sum"/>med: what a results folder keeps of a run's test, so the numbers are never recounted otherwise.
    /// </summary>
    public static ClassificationReport FromConfusion(long[][] confusion, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        ArgumentNullException.ThrowIfNull(classNames);
        var k = classNames.Count;
        if (confusion.Length != k || confusion.Any(row => row.Length != k))
        {
            throw new ArgumentException($"The confusion matrix must be {k} x {k}, one row and one column per class.", nameof(confusion));
        }
        var classes = new List<ClassMetrics>();
        for (var c = 0; c < k; c++)
        {
            var truePositives = confusion[c][c];
            var support = confusion[c].Sum();
            var predictedCount = confusion.Sum(row => row[c]);
            var precision = predictedCount == 0 ? 0 : (double)truePositives / predictedCount;
            var recall = support == 0 ? 0 : (double)truePositives / support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes.Add(new ClassMetrics(classNames[c], precision, recall, f1, support));
        }
        var total = confusion.Sum(row => row.Sum());
        var correct = Enumerable.Range(0, k).Sum(c => confusion[c][c]);
        return new ClassificationReport(total == 0 ? double.NaN : (double)correct / total, classes, confusion);
    }

    /// <summary>The element-wise sum of confusion matrices of the same size (a run's seeds pooled).</summary>
    public static long[][] Sum(IReadOnlyList<long[][]> matrices)
    {
        ArgumentNullException.ThrowIfNull(matrices);
        if (matrices.Count == 0)
        {
            throw new ArgumentException("There is no confusion matrix to sum.", nameof(matrices));
        }
        return matrices[0].Select((row, i) => row.Select((_, j) => matrices.Sum(m => m[i][j])).ToArray()).ToArray();
    }

    /// <summary>
    /// The class that samples of class <paramref name="c"/> are most often predicted as, other than itself (the first
    /// such class on a tie), and how many of them got it; null when none was predicted as another class.
    /// </summary>
    public (int Class, long Count)? MostConfusedWith(int c)
    {
        var row = Confusion[c];
        var others = Enumerable.Range(0, row.Length).Where(j => j != c).ToList();
        if (others.Count == 0)
        {
            return null;
        }
        var other = others.MaxBy(j => row[j]);
        return row[other] > 0 ? (other, row[other]) : null;
    }

    /// <summary>The report as a text table, then the confusion matrix.</summary>
    public string ToTable()
    {
        var width = Math.Max(12, Classes.Max(c => c.Name.Length) + 2);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"class".PadRight(width)}precision    recall        f1   support");
        foreach (var c in Classes)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{c.Name.PadRight(width)}{c.Precision,9:F4}{c.Recall,10:F4}{c.F1,10:F4}{c.Support,10}");
        }
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{"macro avg".PadRight(width)}{MacroPrecision,9:F4}{MacroRecall,10:F4}{MacroF1,10:F4}{Classes.Sum(c => c.Support),10}");
        text.AppendLine(CultureInfo.InvariantCulture, $"accuracy {Accuracy:F4}");
        text.AppendLine();
        text.AppendLine("confusion matrix (rows: true class, columns: predicted)");
        foreach (var row in Confusion)
        {
            text.AppendLine(string.Join(" ", row.Select(v => v.ToString(CultureInfo.InvariantCulture).PadLeft(6))));
        }
        return text.ToString();
    }
}
