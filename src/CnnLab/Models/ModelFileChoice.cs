using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models.Saving;

namespace CnnLab.Models;

/// <summary>
/// A study's model taken from a file: a Keras-style JSON config (CnnLab's <c>model.ToJson()</c> or Keras'
/// <c>model.to_json()</c>), a CnnLab model file or a Keras .h5 / .keras file. Its architecture is rebuilt through
/// <see cref="LayerRegistry"/> with fresh weights from the run's seed, or, with <see cref="LoadWeights"/>, starts from
/// the file's weights.
/// </summary>
public sealed record ModelFileChoice(string Path, bool LoadWeights)
{
    /// <summary>Builds the model for the data's input shape and class count, which the file's model must have.</summary>
    public Sequential Build(Shape inputShape, int classes, long seed)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        using var source = Open();
        if (!source.InputShape!.Equals(inputShape) || source.OutputShape!.Rank != 1 || source.OutputShape.Channels != classes)
        {
            throw new ArgumentException($"{Path} takes {source.InputShape} and gives {source.OutputShape}; " +
                $"the data has input {inputShape} and {classes} classes.");
        }
        var model = new Sequential(inputShape, seed, source.ModelName);
        try
        {
            foreach (var layer in source.Layers)
            {
                model.Add(LayerRegistry.Create(layer.TypeName, layer.GetConfig(), $"{Path}: layer \"{layer.Name}\"", strict: true));
            }
            if (LoadWeights)
            {
                ModelFile.LoadWeights(model, source.state_dict(), Path);
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    private Sequential Open()
    {
        if (!System.IO.Path.GetExtension(Path).Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            return Sequential.Load(Path);
        }
        if (LoadWeights)
        {
            throw new ArgumentException($"{Path} is a JSON config, which holds no weights; `weights: load` needs a saved model " +
                $"(.safetensors, .h5, .keras).");
        }
        var text = Formats.FileKinds.ReadText(Path, ModelLimits.MaxConfigBytes, "a model config (.json)");
        // Keras' to_json() lists an InputLayer or batch_input_shape; CnnLab's ToJson() has input_shape in the config.
        return text.Contains("\"input_shape\"", StringComparison.Ordinal) && !text.Contains("\"keras_version\"", StringComparison.Ordinal)
            ? ModelFile.FromJson(text, Path)
            : KerasModelFile.FromJson(text, Path);
    }
}
