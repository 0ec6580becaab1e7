using CnnLab.Core;
using CnnLab.Formats;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Optimizers;
using static TorchSharp.torch;

namespace CnnLab.Tests.Models.Saving;

/// <summary>Save and Load keep the architecture and every weight, and refuse files that do not match the model.</summary>
public sealed class ModelFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-save-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    /// <summary>Every layer type with a config, trained for an epoch so moving statistics and weights are not initial.</summary>
    internal static Sequential TrainedModel()
    {
        var model = new Sequential(Shape.Image(12, 12, 1), seed: 4, name: "everything");
        model.Add(new RandomFlip("horizontal"));
        model.Add(new RandomTranslation(0.1, 0.05, fillMode: "nearest"));
        model.Add(new RandomRotation(0.02, fillMode: "constant", fillValue: 0.5));
        model.Add(new RandomErasing(0.3, scale: (0.05, 0.2)));
        model.Add(new GaussianNoise(0.05));
        model.Add(new Conv2D(4, (3, 2), padding: Padding.Same, kernelRegularizer: Regularizer.OfL2(1e-3)));
        model.Add(new BatchNormalization(momentum: 0.9));
        model.Add(new LeakyReLU(0.2));
        model.Add(new MaxPooling2D(2));
        model.Add(new SpatialDropout2D(0.1));
        model.Add(new Conv2D(6, 3, strides: 2, activation: "relu"));
        model.Add(new AveragePooling2D(2, strides: 1, padding: Padding.Same));
        model.Add(new Flatten());
        model.Add(new Dense(8, useBias: false, kernelRegularizer: Regularizer.OfL1L2(1e-4, 1e-4)));
        model.Add(new ReLU(6));
        model.Add(new Dropout(0.2));
        model.Add(new Dense(2));
        model.Add(new Activation("softmax"));
        model.Compile(new Adam());
        var (x, y) = TestSupport.Bars(64, seed: 3);
        model.Fit(x, y, batchSize: 16, epochs: 1, seed: 1, verbose: 0);
        return model;
    }

    [Fact]
    public void A_loaded_model_has_the_same_architecture_and_predicts_identically()
    {
        using var model = TrainedModel();
        var path = Path.Combine(_folder, "model.safetensors");
        model.Save(path);

        using var loaded = Sequential.Load(path);
        var (x, _) = TestSupport.Bars(20, seed: 9);

        Assert.Equal(model.ToJson(), loaded.ToJson());
        Assert.Equal(model.Summary(), loaded.Summary());
        Assert.Equal(TestSupport.ToArray(model.Predict(x)), TestSupport.ToArray(loaded.Predict(x)));
        Assert.Equal(TestSupport.ToArray(((BatchNormalization)model.Layers[6]).MovingVariance),
            TestSupport.ToArray(((BatchNormalization)loaded.Layers[6]).MovingVariance));
    }

    [Fact]
    public void Class_names_and_the_input_standardisation_travel_with_the_model()
    {
        using var model = TrainedModel();
        model.ClassNames = new[] { "vertical", "horizontal" };
        model.InputStandardization = CnnLab.Data.Standardization.From(new[] { 0.25f }, new[] { 0.5f });
        var path = Path.Combine(_folder, "named.safetensors");
        model.Save(path);

        using var loaded = Sequential.Load(path);

        Assert.Equal(new[] { "vertical", "horizontal" }, loaded.ClassNames);
        Assert.Equal(new[] { 0.25f }, loaded.InputStandardization!.Mean);
        Assert.Equal(new[] { 0.5f }, loaded.InputStandardization.Std);

        model.ClassNames = new[] { "one", "two", "three" };
        model.Save(path);
        Assert.Equal($"{path}: 3 class names saved for a model with 2 outputs.",
            Assert.Throws<InvalidDataException>(() => Sequential.Load(path)).Message);
    }

    [Fact]
    public void FromJson_rebuilds_the_architecture_with_fresh_weights()
    {
        using var model = TrainedModel();
        using var rebuilt = Sequential.FromJson(model.ToJson());
        Assert.Equal(model.Summary(), rebuilt.Summary());
        Assert.Contains("\"class_name\": \"Conv2D\"", model.ToJson(), StringComparison.Ordinal);
        Assert.Contains("\"kernel_size\": [\n", model.ToJson().Replace("\r", ""), StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_mismatched_and_foreign_files_are_errors_naming_the_file_and_the_tensor()
    {
        using var model = TrainedModel();
        var good = Path.Combine(_folder, "good.safetensors");
        model.Save(good);

        var truncated = Path.Combine(_folder, "truncated.safetensors");
        var bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<InvalidDataException>(() => Sequential.Load(truncated));
        Assert.Matches("^.*truncated.safetensors: tensor \"dense_1.kernel\" has byte range \\[.*\\] outside the \\d+ data bytes " +
            "\\(truncated file\\?\\)\\.$", e.Message);

        var weights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        var json = model.ToJson();
        var metadata = new Dictionary<string, string> { ["format"] = "cnnlab/1", ["cnnlab_config"] = json };

        var wrongShape = Path.Combine(_folder, "shape.safetensors");
        using var bigger = zeros(4, 1, 3, 3);
        SafeTensors.Save(wrongShape,
            weights.Select(kv => kv.Key == "conv2d.kernel" ? new KeyValuePair<string, Tensor>(kv.Key, bigger) : kv), metadata);
        e = Assert.Throws<InvalidDataException>(() => Sequential.Load(wrongShape));
        Assert.EndsWith("shape.safetensors: tensor \"conv2d.kernel\" has shape (4, 1, 3, 3) Float32, the model needs (4, 1, 3, 2) Float32.",
            e.Message);

        var missing = Path.Combine(_folder, "missing.safetensors");
        SafeTensors.Save(missing, weights.Where(kv => kv.Key != "batch_normalization.moving_variance"), metadata);
        e = Assert.Throws<InvalidDataException>(() => Sequential.Load(missing));
        Assert.EndsWith("missing.safetensors: tensor \"batch_normalization.moving_variance\" is missing (shape (4) expected).", e.Message);

        var foreign = Path.Combine(_folder, "foreign.safetensors");
        SafeTensors.Save(foreign, weights);
        e = Assert.Throws<InvalidDataException>(() => Sequential.Load(foreign));
        Assert.Contains("a safetensors file without a CnnLab model config", e.Message, StringComparison.Ordinal);

        var notSafetensors = Path.Combine(_folder, "model.pt");
        File.WriteAllBytes(notSafetensors, new byte[] { 0x80, 0x02, 0x63, 0x74, 0x6f, 0x72, 0x63, 0x68, 0, 0, 0, 0 });
        e = Assert.Throws<InvalidDataException>(() => Sequential.Load(notSafetensors));
        Assert.Contains("not a safetensors file, or truncated", e.Message, StringComparison.Ordinal);
    }
}
