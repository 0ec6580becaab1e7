using CnnLab.Reporting;

namespace CnnLab.Tests.Experiments;

public class ClassificationReportTests
{
    [Fact]
    public void Matches_scikit_learns_classification_report()
    {
        // sklearn.metrics.classification_report([0,0,0,1,1,2,2,2,2], [0,0,1,1,2,2,2,2,0]):
        // class 0: precision 2/3, recall 2/3; class 1: 1/2, 1/2; class 2: 3/4, 3/4; accuracy 6/9.
        var report = ClassificationReport.Compute(new long[] { 0, 0, 0, 1, 1, 2, 2, 2, 2 }, new long[] { 0, 0, 1, 1, 2, 2, 2, 2, 0 }, new[] { "a", "b", "c" });

        Assert.Equal(6.0 / 9, report.Accuracy, 12);
        Assert.Equal(new[] { 2.0 / 3, 0.5, 0.75 }, report.Classes.Select(c => Math.Round(c.Precision, 12)).ToArray(), new RoundedComparer());
        Assert.Equal(new[] { 2.0 / 3, 0.5, 0.75 }, report.Classes.Select(c => Math.Round(c.F1, 12)).ToArray(), new RoundedComparer());
        Assert.Equal(new long[] { 3, 2, 4 }, report.Classes.Select(c => c.Support));
        Assert.Equal(new long[] { 1, 0, 3 }, report.Confusion[2]);
        Assert.Equal((2.0 / 3 + 0.5 + 0.75) / 3, report.MacroF1, 12);
        Assert.StartsWith("class       precision    recall        f1   support", report.ToTable(), StringComparison.Ordinal);
    }

    private sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-9;

        public int GetHashCode(double obj) => 0;
    }
}
