using CnnLab.Studies.Experiments;
using CnnLab.Studies.Reporting;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>
/// Keys added as one declaration each in StudyKeys: read, bounded and defaulted by the parser, applied by the
/// recipe and listed in the report's settings, with nothing else written for them in the studies code.
/// </summary>
public sealed class DeclaredKeyTests
{
    private static RunDefinition Run(string keys) =>
        StudyParser.Parse($"runs:\n  - name: A\n    model: m2-leaky\n{keys}", "s.yaml").Runs[0];

    [Fact]
    public void Clipnorm_reaches_the_optimizer_and_the_report()
    {
        var run = Run("    optimizer: sgd\n    clipnorm: 1.5\n");

        Assert.Equal(1.5, RunRecipe.Optimizer(run).ClipNorm);
        Assert.Equal("SGD(learning_rate=0.01, momentum=0, nesterov=False, clipnorm=1.5)", RunRecipe.Optimizer(run).ToString());
        Assert.Contains("| sgd, clipnorm 1.5 |", StudyReport.Settings(new[] { run }), StringComparison.Ordinal);
        Assert.Null(RunRecipe.Optimizer(Run("")).ClipNorm);
        Assert.Empty(Run("").Settings);
    }

    [Fact]
    public void Random_zoom_adds_its_layer_before_erasing_and_reaches_the_report()
    {
        var run = Run("    augmentation: {random_flip: horizontal, random_erasing: 0.5, random_zoom: 0.1}\n");

        var layers = RunRecipe.Augmentation(run);

        Assert.Equal(new[] { "RandomFlip", "RandomZoom", "RandomErasing" }, layers.Select(l => l.GetType().Name));
        var zoom = (CnnLab.Layers.RandomZoom)layers[1];
        Assert.Equal(((-0.1, 0.1), (ValueTuple<double, double>?)null), (zoom.HeightFactor, zoom.WidthFactor));
        Assert.Contains("| flip horizontal, erasing 0.5, random_zoom 0.1 |", StudyReport.Settings(new[] { run }), StringComparison.Ordinal);
        var zoomOnly = RunRecipe.Augmentation(Run("    augmentation: {random_zoom: 0.2}\n"));
        Assert.Equal(new[] { "RandomZoom" }, zoomOnly.Select(l => l.GetType().Name));
        Assert.Empty(Run("    augmentation: {random_zoom: 0}\n").Settings);
    }

    [Theory]
    [InlineData("    augmentation: {random_zoom: 1.5}\n", "s.yaml, line 4: `random_zoom` must be a number in [0, 1]; received 1.5.")]
    [InlineData("    clipnorm: 0\n", "s.yaml, line 4: `clipnorm` must be a number in (0, 1000000]; received 0.")]
    [InlineData("    clipnorm: [1]\n", "s.yaml, line 4: `clipnorm` must be a number in (0, 1000000]; received sequence.")]
    public void Clipnorm_out_of_bounds_is_an_error_worded_from_its_declaration(string keys, string message)
    {
        Assert.Equal(message, Assert.Throws<StudyFileException>(() => Run(keys)).Message);
    }

    [Fact]
    public void Momentum_and_nesterov_reach_sgd_and_the_report()
    {
        var run = Run("    optimizer: sgd\n    momentum: 0.9\n    nesterov: true\n");

        var sgd = Assert.IsType<CnnLab.Optimizers.SGD>(RunRecipe.Optimizer(run));
        Assert.Equal((0.9, true), (sgd.Momentum, sgd.Nesterov));
        Assert.Contains("| sgd, momentum 0.9, nesterov |", StudyReport.Settings(new[] { run }), StringComparison.Ordinal);
        var rmsprop = Assert.IsType<CnnLab.Optimizers.RMSprop>(RunRecipe.Optimizer(Run("    optimizer: rmsprop\n    momentum: 0.5\n")));
        Assert.Equal(0.5, rmsprop.Momentum);
        Assert.Empty(Run("    optimizer: sgd\n    nesterov: false\n").Settings);
    }

    [Theory]
    [InlineData("    momentum: 0.9\n",
        "s.yaml, line 4: run \"A\": `momentum` is an argument of sgd and rmsprop; this run's optimizer is adam.")]
    [InlineData("    optimizer: rmsprop\n    nesterov: true\n",
        "s.yaml, line 5: run \"A\": `nesterov` is an argument of sgd; this run's optimizer is rmsprop.")]
    [InlineData("    optimizer: sgd\n    nesterov: true\n", "s.yaml, line 5: run \"A\": Invalid value for argument `nesterov`. " +
        "Nesterov momentum requires momentum > 0. Received: nesterov=True, momentum=0.")]
    [InlineData("    optimizer: sgd\n    momentum: 1\n", "s.yaml, line 5: `momentum` must be a number in [0, 1); received 1.")]
    [InlineData("    optimizer: sgd\n    momentum: 0.9\n    nesterov: yes please\n",
        "s.yaml, line 6: `nesterov` must be true or false; received yes please.")]
    public void Momentum_keys_an_optimizer_does_not_take_are_refused_when_the_file_is_read(string keys, string message)
    {
        Assert.Equal(message, Assert.Throws<StudyFileException>(() => Run(keys)).Message);
    }

    [Fact]
    public void Use_ema_and_its_momentum_reach_the_optimizer_and_the_report()
    {
        var run = Run("    use_ema: true\n    ema_momentum: 0.95\n");

        var optimizer = RunRecipe.Optimizer(run);

        Assert.Equal((true, 0.95), (optimizer.UseEma, optimizer.EmaMomentum));
        Assert.Contains("| adam, use_ema, ema_momentum 0.95 |", StudyReport.Settings(new[] { run }), StringComparison.Ordinal);
        Assert.False(RunRecipe.Optimizer(Run("")).UseEma);
    }
}
