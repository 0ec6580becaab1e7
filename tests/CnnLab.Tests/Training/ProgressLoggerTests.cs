using CnnLab.Optimizers;
using CnnLab.Training;

namespace CnnLab.Tests.Training;

public class ProgressLoggerTests
{
    [Fact]
    public void Redirected_output_gets_one_plain_line_per_epoch()
    {
        var (x, y) = TestSupport.Bars(40, seed: 10);
        using var model = TestSupport.SmallCnn(seed: 1);
        model.Compile(new Adam());
        var output = new StringWriter();

        model.Fit(x, y, batchSize: 10, epochs: 2, validationSplit: 0.25, seed: 1, verbose: 0,
            callbacks: new[] { new ProgressLogger(output, interactive: false) });

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("Epoch 1/2", lines[0]);
        Assert.Matches(@"^30/30 \[={30}\] - \d+s \d+ms/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: " +
            @"\d\.\d{4} - val_accuracy: \d\.\d{4}$", lines[1]);
        Assert.Equal("Epoch 2/2", lines[2]);
        Assert.DoesNotContain('\r', output.ToString());
        Assert.DoesNotContain('\u001b', output.ToString());
    }

    [Fact]
    public void Terminal_output_redraws_the_bar_in_place()
    {
        var (x, y) = TestSupport.Bars(40, seed: 10);
        using var model = TestSupport.SmallCnn(seed: 1);
        model.Compile(new Adam());
        var output = new StringWriter();

        model.Fit(x, y, batchSize: 10, epochs: 1, seed: 1, verbose: 0, callbacks: new[] { new ProgressLogger(output, interactive: true) });

        var text = output.ToString();
        Assert.StartsWith("Epoch 1/1\n", text.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Contains("\r40/40 [==============================]", text);
    }

    [Theory]
    [InlineData(0, 100, "  0/100 [>.............................]")]
    [InlineData(50, 100, " 50/100 [==============>...............]")]
    [InlineData(100, 100, "100/100 [==============================]")]
    public void Bar_counts_samples(int done, int total, string expected)
    {
        Assert.Equal(expected, ProgressLogger.Bar(done, total));
    }
}
