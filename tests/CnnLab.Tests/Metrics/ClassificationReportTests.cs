using CnnLab.Metrics;
using CnnLab.Studies.Reporting;

namespace CnnLab.Tests.Metrics;

public class ClassificationReportTests
{
    [Fact]
    public void Matches_scikit_learns_classification_report()
    {
        // sklearn.metrics.classification_report([0,0,0,1,1,2,2,2,2], [0,0,1,1,2,2,2,2,0]):
        // class 0: precision 2/3, recall 2/3; class 1: 1/2, 1/2; class 2: 3/4, 3/4; accuracy 6/9.
        var report = ClassificationReport.Compute(new long[] { 0, 0, 0, 1, 1, 2, 2, 2, 2 }, new long[] { 0, 0, 1, 1, 2, 2, 2, 2, 0 },
            new[] { "a", "b", "c" });

        Assert.Equal(6.0 / 9, report.Accuracy, 12);
        Assert.Equal(new[] { 2.0 / 3, 0.5, 0.75 }, report.Classes.Select(c => Math.Round(c.Precision, 12)).ToArray(),
            new RoundedComparer());
        Assert.Equal(new[] { 2.0 / 3, 0.5, 0.75 }, report.Classes.Select(c => Math.Round(c.F1, 12)).ToArray(), new RoundedComparer());
        Assert.Equal(new long[] { 3, 2, 4 }, report.Classes.Select(c => c.Support));
        Assert.Equal(new long[] { 1, 0, 3 }, report.Confusion[2]);
        Assert.Equal((2.0 / 3 + 0.5 + 0.75) / 3, report.MacroF1, 12);
        Assert.StartsWith("class       precision    recall        f1   support", report.ToTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_class_never_predicted_has_precision_zero_and_the_numbers_are_scikit_learns()
    {
        // sklearn.metrics.classification_report([0,0,1,1,1,2,3,3], [0,1,1,1,0,1,3,0], zero_division=0), worked by hand from
        // the confusion matrix [[1,1,0,0],[1,2,0,0],[0,1,0,0],[1,0,0,1]] (column sums 3, 4, 0, 1; row sums 2, 3, 1, 2):
        // precision 1/3, 2/4, 0 (never predicted), 1/1; recall 1/2, 2/3, 0/1, 1/2; F1 2/5, 4/7, 0, 2/3;
        // accuracy 4/8; macro precision 11/24, macro recall 5/12, macro F1 (2/5 + 4/7 + 2/3) / 4 = 43/105.
        var report = ClassificationReport.Compute(new long[] { 0, 0, 1, 1, 1, 2, 3, 3 }, new long[] { 0, 1, 1, 1, 0, 1, 3, 0 },
            new[] { "a", "b", "c", "d" });

        Assert.Equal(new[] { new long[] { 1, 1, 0, 0 }, new long[] { 1, 2, 0, 0 }, new long[] { 0, 1, 0, 0 }, new long[] { 1, 0, 0, 1 } },
            report.Confusion);
        Assert.Equal(new[] { 1.0 / 3, 0.5, 0, 1 }, report.Classes.Select(c => c.Precision).ToArray(), new RoundedComparer());
        Assert.Equal(new[] { 0.5, 2.0 / 3, 0, 0.5 }, report.Classes.Select(c => c.Recall).ToArray(), new RoundedComparer());
        Assert.Equal(new[] { 0.4, 4.0 / 7, 0, 2.0 / 3 }, report.Classes.Select(c => c.F1).ToArray(), new RoundedComparer());
        Assert.Equal(new long[] { 2, 3, 1, 2 }, report.Classes.Select(c => c.Support));
        Assert.Equal(0.5, report.Accuracy, 12);
        Assert.Equal(11.0 / 24, report.MacroPrecision, 12);
        Assert.Equal(5.0 / 12, report.MacroRecall, 12);
        Assert.Equal(43.0 / 105, report.MacroF1, 12);
        Assert.Equal((1, 1L), report.MostConfusedWith(0));
        Assert.Equal((1, 1L), report.MostConfusedWith(2));
        Assert.Equal((0, 1L), report.MostConfusedWith(3));
    }

    [Fact]
    public void Summed_confusion_matrices_give_the_report_of_the_pooled_predictions()
    {
        // Two seeds' tests of the same 4 images, pooled: what the study report's per-class table shows.
        long[] actual = { 0, 0, 1, 1 };
        long[] first = { 0, 1, 1, 1 };
        long[] second = { 0, 0, 0, 1 };
        var names = new[] { "a", "b" };
        var pooled = ClassificationReport.Compute(actual.Concat(actual).ToArray(), first.Concat(second).ToArray(), names);

        var summed = ClassificationReport.FromConfusion(ClassificationReport.Sum(new[]
        {
            ClassificationReport.Compute(actual, first, names).Confusion, ClassificationReport.Compute(actual, second, names).Confusion,
        }), names);

        Assert.Equal(new[] { new long[] { 3, 1 }, new long[] { 1, 3 } }, summed.Confusion);
        Assert.Equal(pooled.Confusion, summed.Confusion);
        Assert.Equal(pooled.Classes, summed.Classes);
        Assert.Equal(0.75, summed.Accuracy);
        Assert.Null(ClassificationReport.FromConfusion(new[] { new long[] { 2, 0 }, new long[] { 1, 1 } }, names).MostConfusedWith(0));
        Assert.Equal("The confusion matrix must be 2 x 2, one row and one column per class. (Parameter 'confusion')",
            Assert.Throws<ArgumentException>(() => ClassificationReport.FromConfusion(new[] { new long[] { 1 } }, names)).Message);
    }

    private sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-9;

        public int GetHashCode(double obj) => 0;
    }
}
