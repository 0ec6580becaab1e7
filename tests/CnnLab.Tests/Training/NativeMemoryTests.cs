using CnnLab.Optimizers;
using TorchSharp;

namespace CnnLab.Tests.Training;

/// <summary>Every tensor Fit, Evaluate and Predict create is disposed on the spot, not left to the garbage collector.</summary>
public class NativeMemoryTests
{
    [Fact]
    public void Live_tensor_count_returns_to_baseline_after_Fit_Evaluate_and_Predict()
    {
        var (x, y) = TestSupport.Bars(64, seed: 9);
        using var model = TestSupport.SmallCnn(seed: 1, batchNorm: true, dropout: true);
        model.Compile(new Adam());
        var statistics = DisposeScopeManager.Statistics;
        var baseline = statistics.ThreadTotalLiveCount;

        model.Fit(x, y, batchSize: 8, epochs: 2, validationSplit: 0.25, seed: 1, verbose: 0);
        var afterFit = statistics.ThreadTotalLiveCount;
        model.Evaluate(x, y, batchSize: 8);
        var afterEvaluate = statistics.ThreadTotalLiveCount;
        var predictions = model.Predict(x, batchSize: 8);
        predictions.Dispose();
        var afterPredict = statistics.ThreadTotalLiveCount;

        Assert.Equal(baseline, afterFit);
        Assert.Equal(baseline, afterEvaluate);
        Assert.Equal(baseline, afterPredict);
    }
}
