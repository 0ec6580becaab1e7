using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Studies.Experiments;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>A study's model written as Keras' list of layers.</summary>
public class StudyLayerListTests
{
    private static string Study(string layers) => $"""
        name: own
        runs:
          - name: mine
            model:
              input_shape: [28, 28, 1]
              layers:
        {layers}
        """;

    private const string KerasExample = """
              - conv2d: {filters: 32, kernel_size: 3, activation: relu}
              - max_pooling2d: {pool_size: 2}
              - flatten: {}
              - dense: {units: 10, activation: softmax}
        """;

    [Fact]
    public void The_keras_io_style_list_builds_the_model_Keras_builds()
    {
        var study = StudyParser.Parse(Study(KerasExample), "own.yaml");
        var run = Assert.Single(study.Runs);

        using var model = RunRecipe.Model(run, Shape.Image(28, 28, 1), 10, seed: 1);

        Assert.Equal(new[] { "conv2d", "max_pooling2d", "flatten", "dense" }, model.Layers.Select(l => l.Name));
        // Keras: Conv2D 320, Dense 54,090.
        Assert.Equal(54_410, model.ParamCount);
        Assert.Equal("(None, 26, 26, 32)", model.Layers[0].OutputShape!.ToString());
        Assert.Equal("layers: conv2d max_pooling2d flatten dense", run.Model.ToString());
        Assert.Equal("adam", run.Optimizer);
    }

    [Fact]
    public void An_unknown_layer_is_an_error_with_its_line_and_the_layers_allowed()
    {
        var message = Assert.Throws<StudyFileException>(() =>
            StudyParser.Parse(Study(KerasExample.Replace("max_pooling2d", "max_pool")), "own.yaml")).Message;

        Assert.StartsWith("own.yaml, line 8: unknown layer `max_pool` (layer 2 of run \"mine\"). Allowed: activation, add, average, " +
            "average_pooling2d, batch_normalization, concatenate, conv2d,", message);
    }

    [Fact]
    public void An_unknown_key_is_an_error_with_its_line_and_the_keys_allowed()
    {
        var message = Assert.Throws<StudyFileException>(() =>
            StudyParser.Parse(Study(KerasExample.Replace("filters: 32", "filter: 32")), "own.yaml")).Message;

        Assert.Equal("own.yaml, line 7: layer 1 of run \"mine\" (Conv2D): \"filters\" is missing; expected a whole number.", message);
    }

    [Fact]
    public void A_misspelt_optional_key_is_not_ignored()
    {
        var message = Assert.Throws<StudyFileException>(() =>
            StudyParser.Parse(Study(KerasExample.Replace("activation: relu", "activaton: relu")), "own.yaml")).Message;

        Assert.Equal("own.yaml, line 7: layer 1 of run \"mine\" (Conv2D): unknown key \"activaton\"; allowed: activation, filters, " +
            "kernel_regularizer, kernel_size, name, padding, strides, use_bias.", message);
    }

    [Fact]
    public void A_last_layer_that_does_not_fit_the_classes_says_what_to_write()
    {
        var study = StudyParser.Parse(Study(KerasExample.Replace("units: 10", "units: 7")), "own.yaml");

        var message = Assert.Throws<ArgumentException>(() => RunRecipe.Model(study.Runs[0], Shape.Image(28, 28, 1), 10, seed: 1)).Message;

        Assert.Equal("the last layer gives (None, 7), but the data has 10 classes; end the list with dense: {units: 10, " +
            "activation: softmax}.", message);
    }
}
