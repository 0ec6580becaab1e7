using System.Text.Json.Nodes;
using CnnLab.Data;
using CnnLab.Models;
using CnnLab.Models.Saving;
using static TorchSharp.torch;

namespace CnnLab.Tests.Models.Saving;

/// <summary>
/// Model files written by real Keras (2.4 to 3.11), not by us (tests/fixtures/keras-real, PROVENANCE.md). Each is
/// evaluated on the 10,000 MNIST test images against its author's figure, and its first 32 outputs against an
/// independent numpy forward pass of the same file (reference_forward.py, float64; expected.json); or it is refused
/// in one line.
/// </summary>
public sealed class RealKerasFileTests
{
    private static readonly string Real = Path.Combine(AppContext.BaseDirectory, "fixtures", "keras-real");
    private static readonly Lazy<Dataset> MnistTest =
        new(() => IdxDataset.Load(Path.Combine(AppContext.BaseDirectory, "fixtures", "mnist"), "t10k", Mnist.ClassNames));
    private static readonly Lazy<JsonObject> Expected =
        new(() => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Real, "expected.json")))!);

    [Theory]
    [InlineData("Ery4z__DeepLearning__mnist_cnn.h5", 9918)]
    [InlineData("Hamad-Ansari__Image-Classification-Using-Convolutional-Neural-Networks-CNN-__mnist_cnn_model.h5", 9880)]
    [InlineData("socathie__keras2circom__model.h5", 9757)]
    [InlineData("Arunkumar7812__Digit-recognizer-CNN__mnist_model.keras", 9897)]
    public void Each_scores_its_authors_accuracy_on_mnist_and_computes_what_numpy_computes(string file, int correct)
    {
        using var model = Sequential.Load(Path.Combine(Real, file));

        Assert.Equal(correct, CorrectOnMnist(model));
        AssertFirstOutputs(model, MnistTest.Value.Images, Expected.Value[file]!["outputs"]!);
    }

    [Fact]
    public void A_model_whose_input_has_no_channel_axis_takes_single_channel_images_in_onnx_runtime_too()
    {
        // Keras 3's Input((28, 28)) then Reshape((28, 28, 1)): exported with its [batch, 28, 28] input as it is.
        using var model = Sequential.Load(Path.Combine(Real, "Arunkumar7812__Digit-recognizer-CNN__mnist_model.keras"));
        using var onnx = CnnLab.OnnxRuntime.OnnxClassifier.FromBytes(CnnLab.Export.OnnxExport.ToBytes(model), "mnist_model.onnx");
        var test = MnistTest.Value;

        Assert.Equal(new CnnLab.Core.Shape(28, 28), model.InputShape);
        Assert.Equal(CnnLab.Core.Shape.Image(28, 28, 1), onnx.InputShape);
        using var probabilities = onnx.Predict(test.Images, 500);
        using var predicted = probabilities.argmax(1);
        using var right = predicted.eq(test.Labels);
        Assert.Equal(9897, right.sum().item<long>());
    }

    [Fact]
    public void The_model_trained_on_raw_pixels_scores_its_authors_accuracy_once_its_inputs_are_scaled_back()
    {
        // Its notebook trained on MNIST's bytes (0-255), never divided by 255: on [0, 1] images every answer is "1"
        // (1,135 of 10,000), in numpy as here; with a Rescaling(255) in front, its author's 0.9145.
        const string file = "socathie__keras2circom__alt_model.h5";
        using var model = Sequential.Load(Path.Combine(Real, file));
        Assert.Equal(1135, CorrectOnMnist(model));

        model.ScaleInputs(255);

        Assert.Equal(9145, CorrectOnMnist(model));
        AssertFirstOutputs(model, MnistTest.Value.Images, Expected.Value[file]!["outputs_raw_0_255"]!);
    }

    [Fact]
    public void The_wake_word_model_of_Keras_2_14_imports_its_47707_weights_and_computes_numpys_logits()
    {
        // Audio spectrograms (30, 1, 40), not images, with 1/0 booleans in its BatchNormalization configs; its softmax
        // saturates (logits near 90), so the logits are compared.
        const string file = "mlcommons__tiny__str_ww_ref_model.h5";
        using var model = Sequential.Load(Path.Combine(Real, file));
        var expected = Expected.Value[file]!;
        var values = expected["input_values"]!.AsArray().SelectMany(s => s!.AsArray().SelectMany(r => r!.AsArray()
            .SelectMany(c => c!.AsArray().Select(v => (float)v!.GetValue<double>())))).ToArray();
        using var inputs = tensor(values, new long[] { 8, 30, 1, 40 }).permute(0, 3, 1, 2).contiguous();

        Assert.Equal(47_707, model.ParamCount);
        model.eval();
        using var _ = no_grad();
        using var logits = model.ForwardLogits(inputs);
        AssertClose(expected["logits"]!, logits, 1e-4);
    }

    [Fact]
    public void The_mlcommons_resnet_imports_as_a_graph_with_the_78666_weights_keras_stored_and_computes_numpys_outputs()
    {
        // A CIFAR-10 ResNet-8 of Keras 2.4 with three residual Adds (not a chain), fed raw 0-255 pixels as its repository's
        // test.py does; no CIFAR-10 copy is on these machines, so exactness against the numpy graph walk is the test.
        const string file = "mlcommons__tiny__pretrainedResnet.h5";
        using var model = Assert.IsType<Model>(KerasModel.Load(Path.Combine(Real, file)));
        var expected = Expected.Value[file]!;
        var values = expected["input_values"]!.AsArray().SelectMany(s => s!.AsArray().SelectMany(r => r!.AsArray()
            .SelectMany(c => c!.AsArray().Select(v => (float)v!.GetValue<double>())))).ToArray();
        using var inputs = tensor(values, new long[] { 8, 32, 32, 3 }).permute(0, 3, 1, 2).contiguous();

        Assert.Equal((78_666, 78_186, 480), (model.ParamCount, model.TrainableParamCount, model.NonTrainableParamCount));
        Assert.Equal(30, model.Layers.Count + 1);
        var add = model.Layers.ToList().FindIndex(l => l.Name == "add_1");
        Assert.Equal(new[] { "conv2d_5", "batch_normalization_4" }, model.InboundNames[add]);
        using var outputs = model.Predict(inputs, 8);
        AssertClose(expected["outputs"]!, outputs, 1e-5);
        model.eval();
        using var _ = no_grad();
        using var logits = model.ForwardLogits(inputs);
        AssertClose(expected["logits"]!, logits, 1e-4);
        Assert.Throws<InvalidDataException>(() => Sequential.Load(Path.Combine(Real, file)));
    }

    [Fact]
    public void The_mlcommons_resnet_scaled_for_0_1_pixels_gives_the_same_outputs_here_in_onnx_runtime_and_after_save_and_load()
    {
        const string file = "mlcommons__tiny__pretrainedResnet.h5";
        using var model = KerasModel.Load(Path.Combine(Real, file));
        var expected = Expected.Value[file]!;
        var values = expected["input_values"]!.AsArray().SelectMany(s => s!.AsArray().SelectMany(r => r!.AsArray()
            .SelectMany(c => c!.AsArray().Select(v => (float)(v!.GetValue<double>() / 255))))).ToArray();
        using var pixels = tensor(values, new long[] { 8, 32, 32, 3 }).permute(0, 3, 1, 2).contiguous();
        model.ScaleInputs(255);
        var path = Path.Combine(Path.GetTempPath(), $"cnnlab-resnet-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            using var loaded = KerasModel.Load(path);
            using var onnx = CnnLab.OnnxRuntime.OnnxClassifier.FromBytes(CnnLab.Export.OnnxExport.ToBytes(model), "resnet.onnx");

            Assert.Equal("rescaling", model.Layers[0].Name);
            AssertClose(expected["outputs"]!, model.Predict(pixels, 8), 1e-5);
            AssertClose(expected["outputs"]!, loaded.Predict(pixels, 8), 1e-5);
            AssertClose(expected["outputs"]!, onnx.Predict(pixels, 3), 1e-5);
            var (code, state) = CnnLab.Export.PyTorchExport.Translate(model);
            Assert.Contains("        v9 = v3 + v8  # add\n", code, StringComparison.Ordinal);
            Assert.Equal(model.parameters().Count() + 3 * model.buffers().Count() / 2, state.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("socathie__keras2circom__best_practice.h5",
        "layer 4 of 12 is a Keras Lambda (\"lambda\"), which CnnLab does not have.")]
    public void A_file_with_a_layer_CnnLab_does_not_have_is_refused_naming_it(string file, string expected)
    {
        var path = Path.Combine(Real, file);

        var message = Assert.Throws<InvalidDataException>(() => Sequential.Load(path)).Message;

        Assert.StartsWith($"{path}: {expected} CnnLab's layers: Activation, ", message);
    }

    private static int CorrectOnMnist(Sequential model)
    {
        var test = MnistTest.Value;
        using var probabilities = model.Predict(test.Images, 500);
        using var predicted = probabilities.argmax(1);
        using var right = predicted.eq(test.Labels);
        return (int)right.sum().item<long>();
    }

    private static void AssertFirstOutputs(Sequential model, Tensor images, JsonNode expected)
    {
        using var first = images.narrow(0, 0, 32);
        using var outputs = model.Predict(first, 32);
        AssertClose(expected, outputs, 1e-5);
    }

    private static void AssertClose(JsonNode expected, Tensor actual, double tolerance)
    {
        var rows = expected.AsArray();
        var values = actual.data<float>().ToArray();
        Assert.Equal(rows.Count * rows[0]!.AsArray().Count, values.Length);
        var flat = rows.SelectMany(r => r!.AsArray().Select(v => v!.GetValue<double>())).ToArray();
        var worst = flat.Select((v, i) => Math.Abs(v - values[i])).Max();
        Assert.True(worst <= tolerance, $"largest difference from the numpy reference: {worst:G3} (tolerance {tolerance:G1})");
    }
}
