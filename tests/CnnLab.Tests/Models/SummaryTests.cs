using CnnLab.Core;
using CnnLab.Models;

namespace CnnLab.Tests.Models;

public class SummaryTests
{
    [Fact]
    public void Summary_prints_Keras_columns_automatic_names_and_totals()
    {
        using var model = NotebookModels.Create("m2-bn-before", seed: 0);

        var lines = model.Summary().Split('\n');

        Assert.Equal("Model: \"m2-bn-before\"", lines[0]);
        Assert.Matches(@"^ Layer \(type\) +Output Shape +Param #$", lines[2]);
        Assert.Matches(@"^ conv2d \(Conv2D\) +\(None, 28, 28, 20\) +200$", lines[4]);
        Assert.Matches(@"^ batch_normalization \(BatchNormalization\) +\(None, 28, 28, 20\) +80$", lines[6]);
        Assert.Matches(@"^ leaky_re_lu \(LeakyReLU\) +\(None, 28, 28, 20\) +0$", lines[8]);
        Assert.Matches(@"^ conv2d_1 \(Conv2D\) +\(None, 28, 28, 20\) +3,620$", lines[10]);
        Assert.Contains(lines, l => l.StartsWith(" max_pooling2d_1 (MaxPooling2D)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(" dense_2 (Dense)", StringComparison.Ordinal));
        Assert.Contains("Total params: 78,374", lines);
        Assert.Contains("Trainable params: 78,006", lines);
        Assert.Contains("Non-trainable params: 368", lines);
    }
}
