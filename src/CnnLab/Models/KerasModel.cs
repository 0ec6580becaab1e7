using CnnLab.Core;
using CnnLab.Engine;
using CnnLab.Layers;
using CnnLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnLab.Models;

/// <summary>
/// What every CnnLab model is, as Keras' <c>Model</c> is for <c>Sequential</c> and functional models alike: layers with
/// weights, an input and an output shape, and one implementation of compile, fit, evaluate and predict
/// (<c>KerasModel.Training.cs</c>). <see cref="Sequential"/> is a chain of layers, <see cref="Model"/> a graph of them.
/// </summary>
public abstract partial class KerasModel : nn.Module<Tensor, Tensor>, IImageClassifier, ITrainableModel
{
    /// <summary>Creates the model named <paramref name="name"/> with the engine configured.</summary>
    protected KerasModel(string name)
        : base(name)
    {
        TorchEngine.EnsureConfigured();
        ModelName = name;
    }

    /// <summary>The model's name, shown by the summary.</summary>
    public string ModelName { get; }

    /// <summary>The layers, in an order where every layer comes after those it takes its inputs from.</summary>
    public abstract IReadOnlyList<Layer> Layers { get; }

    /// <summary>The shape of one input sample, (height, width, channels).</summary>
    public abstract Shape? InputShape { get; }

    /// <summary>The shape of one output sample.</summary>
    public abstract Shape? OutputShape { get; }

    /// <summary>
    /// The names of the output classes, in output order; saved with the model so <c>cnnlab predict</c> can name its
    /// answers. Null when the model was built without a dataset.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>
    /// The dataset the model was trained on, as <see cref="Data.DatasetSource.Open"/> takes it (a known dataset's name, or a
    /// folder's or CSV file's full path); saved with the model so <c>cnnlab evaluate</c> defaults to it. Null when unknown.
    /// </summary>
    public string? TrainingDataset { get; set; }

    /// <summary>
    /// A per-channel standardisation of the inputs after scaling to [0, 1] kept outside the layers: what models saved
    /// before standardisation became a <see cref="Normalization"/> layer (<c>StandardizeInputs</c>) carry, and
    /// Keras files converted with an input scale. Evaluate and Predict apply it to their inputs; null for none.
    /// </summary>
    public Data.Standardization? InputStandardization { get; set; }

    /// <summary>The device the weights live on.</summary>
    public Device Device { get; protected set; } = CPU;

    /// <summary>Trainable weights.</summary>
    public long TrainableParamCount => Layers.Sum(l => l.TrainableParamCount);

    /// <summary>Non-trainable weights (moving statistics).</summary>
    public long NonTrainableParamCount => Layers.Sum(l => l.NonTrainableParamCount);

    /// <summary>All weights.</summary>
    public long ParamCount => TrainableParamCount + NonTrainableParamCount;

    /// <summary>
    /// True when the last operation is a softmax, so the outputs are probabilities and the loss can use the logits
    /// before it (<see cref="ForwardLogits"/>).
    /// </summary>
    public abstract bool OutputsProbabilities { get; }

    /// <summary>The scores before a final softmax (the logits); only when <see cref="OutputsProbabilities"/>.</summary>
    internal abstract Tensor ForwardLogits(Tensor input);

    /// <summary>
    /// Reads any model file: CnnLab's (<see cref="Save"/>) or Keras' (.h5 of Keras 2 / tf.keras, .keras of Keras 3), a
    /// <see cref="Sequential"/> for a chain of layers, a functional <see cref="Model"/> for a graph.
    /// </summary>
    public static KerasModel Load(string path) => Saving.KerasModelFile.IsKerasFile(path ?? "")
        ? Saving.KerasModelFile.LoadAny(path!) : Saving.ModelFile.LoadAny(path!);

    /// <summary>Keras' <c>model.to_json()</c>: the architecture, without weights.</summary>
    public string ToJson() => Saving.ModelFile.ToJson(this);

    /// <summary>
    /// Puts a <see cref="Rescaling"/> by <paramref name="scale"/> before the first layer: a model trained on inputs
    /// <paramref name="scale"/> times larger than CnnLab's [0, 1] pixels (a Keras model trained on raw 0-255 values)
    /// then computes what it was trained to compute, wherever it runs.
    /// </summary>
    public abstract Rescaling ScaleInputs(double scale);

    /// <summary>
    /// Puts a <see cref="Normalization"/> adapted to <paramref name="images"/> (the training split, N x C x H x W) before
    /// the first layer, so the model standardises its inputs per channel wherever it runs (Fit, Evaluate, Predict, saved,
    /// exported). The other layers and their weights stay as they are.
    /// </summary>
    public abstract Normalization StandardizeInputs(Tensor images);

    /// <summary>Saves architecture and weights in one file, atomically.</summary>
    public abstract void Save(string path);

    /// <summary>Keras' summary table: layers, output shapes, parameter counts and totals.</summary>
    public abstract string Summary();

    /// <summary>
    /// The sum of the layers' regularization penalties (Keras' <c>sum(model.losses)</c>), added to the loss in
    /// training and evaluation; null when no layer has a regularizer.
    /// </summary>
    public Tensor? RegularizationLoss()
    {
        Tensor? total = null;
        foreach (var layer in Layers)
        {
            if (layer.RegularizationLoss() is not { } penalty)
            {
                continue;
            }
            if (total is null)
            {
                total = penalty;
            }
            else
            {
                using (penalty)
                {
                    total.add_(penalty);
                }
            }
        }
        return total;
    }

    /// <summary>Throws when the model has nothing to compute with.</summary>
    protected abstract void RequireLayers();

    private void RequireCompiled()
    {
        RequireLayers();
        if (!IsCompiled)
        {
            throw new InvalidOperationException("You must call `Compile()` before using the model.");
        }
    }
}
