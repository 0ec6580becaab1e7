using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Optimizers;
using CnnLab.Tests.Training;
using Padding = CnnLab.Core.Padding;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnLab.Tests.Models;

/// <summary>Keras' functional API: a residual Add and a Concatenate, built, summarised, trained, saved and refused.</summary>
public sealed class FunctionalModelTests
{
    /// <summary>input -> conv -> conv -> Add(conv, conv) -> ReLU -> Concatenate(relu, first conv) -> Flatten -> Dense.</summary>
    private static Model Residual(long seed, out (Conv2D First, Conv2D Second, Dense Output) layers)
    {
        var input = Model.Input(12, 12, 1);
        var first = new Conv2D(4, 3, padding: Padding.Same);
        var second = new Conv2D(4, 3, padding: Padding.Same);
        var output = new Dense(2, activation: "softmax");
        var x = first.Call(input);
        var y = second.Call(x);
        var sum = new Add().Call(x, y);
        var relu = new ReLU().Call(sum);
        var joined = new Concatenate().Call(relu, x);
        var probabilities = output.Call(new Flatten().Call(joined));
        layers = (first, second, output);
        return new Model(input, probabilities, seed);
    }

    [Fact]
    public void A_residual_graph_has_keras_names_shapes_parameter_counts_and_its_connections_in_the_summary()
    {
        using var model = Residual(seed: 1, out _);

        // Conv2D 3*3*1*4+4 = 40, Conv2D 3*3*4*4+4 = 148, Dense (12*12*8)*2+2 = 2,306.
        Assert.Equal(40 + 148 + 2_306, model.ParamCount);
        Assert.Equal(new[] { "conv2d", "conv2d_1", "add", "re_lu", "concatenate", "flatten", "dense" },
            model.Layers.Select(l => l.Name));
        Assert.Equal(new[] { "conv2d", "conv2d_1" }, model.InboundNames[2]);
        Assert.Equal(Shape.Image(12, 12, 8), model.Layers[4].OutputShape);
        var summary = model.Summary().Split('\n');
        Assert.Equal(" Layer (type)                   Output Shape         Param #     Connected to", summary[2]);
        Assert.Equal(" input_1 (InputLayer)           [(None, 12, 12, 1)]  0           []", summary[4]);
        Assert.Contains(" add (Add)                      (None, 12, 12, 4)    0           ['conv2d[0][0]',", summary);
        Assert.Contains("                                                                  'conv2d_1[0][0]']", summary);
        Assert.Contains("Total params: 2,494", summary);
    }

    [Fact]
    public void The_graph_computes_what_its_layers_compute_by_hand()
    {
        using var model = Residual(seed: 3, out var layers);
        using var x = rand(new long[] { 5, 1, 12, 12 }, generator: new Generator(4));

        using var outputs = model.Predict(x, 2);

        using var _ = no_grad();
        using var a = layers.First.forward(x);
        using var b = layers.Second.forward(a);
        using var joined = cat(new[] { (a + b).relu(), a }, 1);
        using var expected = layers.Output.forward(joined.flatten(1));
        Assert.Equal(TestSupport.ToArray(expected), TestSupport.ToArray(outputs), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Fit_trains_the_graph_the_same_way_twice_and_frees_every_tensor_it_made()
    {
        var (x, y) = TestSupport.Bars(64, seed: 9);
        using var model = Residual(seed: 1, out _);
        using var again = Residual(seed: 1, out _);
        model.Compile(new Adam(0.01));
        again.Compile(new Adam(0.01));
        var statistics = DisposeScopeManager.Statistics;
        var baseline = statistics.ThreadTotalLiveCount;

        var history = model.Fit(x, y, batchSize: 8, epochs: 3, validationSplit: 0.25, seed: 1, verbose: 0);
        model.Evaluate(x, y, batchSize: 8);
        model.Predict(x, batchSize: 8).Dispose();

        Assert.Equal(baseline, statistics.ThreadTotalLiveCount);
        Assert.True(history["loss"][^1] < history["loss"][0], $"loss {history["loss"][0]} -> {history["loss"][^1]}");
        Assert.Equal(history["val_loss"], again.Fit(x, y, batchSize: 8, epochs: 3, validationSplit: 0.25, seed: 1, verbose: 0)["val_loss"]);
    }

    [Fact]
    public void Save_and_load_and_the_config_round_trip_give_the_same_graph_and_outputs()
    {
        using var model = Residual(seed: 5, out _);
        using var x = rand(new long[] { 4, 1, 12, 12 }, generator: new Generator(6));
        var path = Path.Combine(Path.GetTempPath(), $"cnnlab-functional-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            using var loaded = Model.Load(path);
            using var fromJson = Model.FromJson(model.ToJson());

            Assert.Equal(TestSupport.ToArray(model.Predict(x)), TestSupport.ToArray(loaded.Predict(x)));
            Assert.Equal(model.Summary(), loaded.Summary());
            Assert.Equal(model.ToJson(), fromJson.ToJson());
            Assert.Equal("a functional model (a graph of layers), not a Sequential chain. Load it with KerasModel.Load or Model.Load.",
                Assert.Throws<InvalidDataException>(() => Sequential.Load(path)).Message[(path.Length + 2)..]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Mistaken_graphs_are_refused_in_one_line_each()
    {
        var input = Model.Input(12, 12, 1);
        var small = new MaxPooling2D(2).Call(new Conv2D(4, 3, padding: Padding.Same).Call(input));
        var large = new Conv2D(4, 3, padding: Padding.Same).Call(input);
        var shared = new Conv2D(4, 3, padding: Padding.Same);
        shared.Call(input);
        var other = Model.Input(Shape.Image(12, 12, 1), "other");

        Assert.Equal("Layer \"add\" (Add): inputs have incompatible shapes. Received shapes (None, 6, 6, 4) and (None, 12, 12, 4). " +
            "Every input of Add must have the same shape.", Assert.Throws<ArgumentException>(() => new Add().Call(small, large)).Message);
        Assert.Equal("Layer \"add\" (Add) should be called on a list of 2 to 1,000 inputs. Received: 1 input(s).",
            Assert.Throws<ArgumentException>(() => new Add().Call(large)).Message);
        Assert.Equal("Layer \"conv2d\" (Conv2D) is already used in a model. CnnLab has no shared layers: create another layer with " +
            "the same settings for each place it is used.", Assert.Throws<InvalidOperationException>(() => shared.Call(large)).Message);
        Assert.Equal("Graph disconnected: the output depends on input \"other\" (None, 12, 12, 1), which is not the model's input " +
            "\"input_1\". A CnnLab model takes one input: call every layer on tensors that come from it.",
            Assert.Throws<ArgumentException>(() => new Model(input, new Add().Call(large, new Conv2D(4, 3, padding: Padding.Same)
                .Call(other)))).Message);
        Assert.Equal("Layer \"add\" (Add) merges a list of 2 or more inputs; it cannot follow a single layer in a Sequential model. " +
            "Build the model with the functional API: new Model(input, output).",
            Assert.Throws<ArgumentException>(() => new Sequential(Shape.Image(4, 4, 1)).Add(new Add())).Message);
    }

    [Fact]
    public void A_hostile_layer_name_stays_inside_a_comment_of_the_generated_pytorch_module()
    {
        var input = Model.Input(4, 4, 1);
        var conv = new Conv2D(2, 3, padding: Padding.Same, name: "c\nimport os; os_system('x')  # \"\"\"").Call(input);
        var output = new Dense(2, activation: "softmax").Call(new Flatten().Call(new Add().Call(conv, conv)));
        using var model = new Model(input, output, seed: 1, name: "m\"\"\"\nimport sys");

        var (code, _) = CnnLab.Export.PyTorchExport.Translate(model);

        var lines = code.Split('\n');
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("import os", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("import sys", StringComparison.Ordinal));
        Assert.Contains("        v1 = v0 + v0  # add", lines);
    }
}
