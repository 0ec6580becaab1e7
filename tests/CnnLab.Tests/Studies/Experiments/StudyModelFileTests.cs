using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Models.Saving;
using CnnLab.Studies.Experiments;
using static TorchSharp.torch;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>A study's model named by a file: a JSON config, a CnnLab model or a Keras file, with fresh or its own weights.</summary>
public sealed class StudyModelFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-model-file-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private RunDefinition Run(string model)
    {
        var path = Path.Combine(_folder, "study.yaml");
        File.WriteAllText(path, $"name: files\nruns:\n  - name: mine\n    model: {model}\n");
        return StudyParser.ParseFile(path).Runs[0];
    }

    [Fact]
    public void A_saved_model_gives_its_architecture_with_fresh_weights_or_with_its_own()
    {
        using var saved = TestSupport.SmallCnn(seed: 3);
        saved.Save(Path.Combine(_folder, "small.safetensors"));
        File.WriteAllText(Path.Combine(_folder, "small.json"), saved.ToJson());
        using var x = rand(4, 1, 12, 12, generator: new TorchSharp.torch.Generator(1));

        using var own = RunRecipe.Model(Run("{file: small.safetensors, weights: load}"), Shape.Image(12, 12, 1), 2, seed: 9);
        using var fresh = RunRecipe.Model(Run("small.safetensors"), Shape.Image(12, 12, 1), 2, seed: 9);
        using var fromJson = RunRecipe.Model(Run("small.json"), Shape.Image(12, 12, 1), 2, seed: 9);

        Assert.Equal(TestSupport.ToArray(saved.Predict(x)), TestSupport.ToArray(own.Predict(x)));
        Assert.NotEqual(TestSupport.ToArray(saved.Predict(x)), TestSupport.ToArray(fresh.Predict(x)));
        Assert.Equal(TestSupport.ToArray(fresh.Predict(x)), TestSupport.ToArray(fromJson.Predict(x)));
        Assert.Equal(saved.ToJson(), own.ToJson());
    }

    [Fact]
    public void A_Keras_file_with_its_weights_predicts_as_the_import()
    {
        var keras = Path.Combine(AppContext.BaseDirectory, "fixtures", "keras", "sequential.h5");
        using var imported = KerasModelFile.Load(keras);
        using var x = rand(2, 1, 8, 8, generator: new TorchSharp.torch.Generator(2));

        using var model = RunRecipe.Model(Run($"{{file: {keras}, weights: load}}"), Shape.Image(8, 8, 1), 3, seed: 1);

        Assert.Equal(TestSupport.ToArray(imported.Predict(x)), TestSupport.ToArray(model.Predict(x)));
    }

    [Fact]
    public void A_missing_file_a_JSON_with_weights_and_a_model_for_other_data_are_clear_errors()
    {
        var missing = Assert.Throws<StudyFileException>(() => Run("nowhere.safetensors")).Message;
        Assert.StartsWith($"{Path.Combine(_folder, "study.yaml")}, line 4: the model file `nowhere.safetensors` does not exist (looked " +
            $"in {Path.Combine(_folder, "nowhere.safetensors")}", missing);

        using var saved = TestSupport.SmallCnn(seed: 3);
        File.WriteAllText(Path.Combine(_folder, "small.json"), saved.ToJson());
        Assert.Equal($"{Path.Combine(_folder, "small.json")} is a JSON config, which holds no weights; `weights: " +
            $"load` needs a saved model (.safetensors, .h5, .keras).",
            Assert.Throws<ArgumentException>(() =>
                RunRecipe.Model(Run("{file: small.json, weights: load}"), Shape.Image(12, 12, 1), 2, seed: 1)).Message);
        Assert.Equal($"{Path.Combine(_folder, "small.json")} takes (None, 12, 12, 1) and gives (None, 2); the data has input (None, 28, " +
            $"28, 1) and 10 classes.",
            Assert.Throws<ArgumentException>(() => RunRecipe.Model(Run("small.json"), Shape.Image(28, 28, 1), 10, seed: 1)).Message);
    }
}
