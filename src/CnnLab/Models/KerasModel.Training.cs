using CnnLab.Core;
using CnnLab.Engine;
using CnnLab.Layers;
using CnnLab.Optimizers;
using CnnLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnLab.Models;

/// <summary>
/// Keras' training API on the model (Compile, Fit, Evaluate, Predict), which delegates to <see cref="Trainer"/> and
/// <see cref="Evaluator"/>, and what the trainer (<see cref="ITrainableModel"/>) and the inference commands
/// (<see cref="IImageClassifier"/>) see of it.
/// </summary>
public abstract partial class KerasModel
{
    /// <summary>The optimizer set by <see cref="Compile(Optimizer, string, IEnumerable{string}?, double)"/>, or null.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>Whether Compile was called.</summary>
    public bool IsCompiled => Optimizer is not null;

    /// <summary>
    /// Configures training: the optimizer (a name with Keras' defaults, or an object), the loss, the metrics and the
    /// loss' label smoothing (Keras' <c>CategoricalCrossentropy(label_smoothing=...)</c>).
    /// </summary>
    public void Compile(string optimizer = "rmsprop", string loss = SparseCategoricalCrossentropy.Name, IEnumerable<string>? metrics = null,
        double labelSmoothing = 0) =>
        Compile(OptimizerCatalog.Get(optimizer), loss, metrics, labelSmoothing);

    /// <summary>Configures training with an optimizer object.</summary>
    public void Compile(Optimizer optimizer, string loss = SparseCategoricalCrossentropy.Name, IEnumerable<string>? metrics = null,
        double labelSmoothing = 0)
    {
        SparseCategoricalCrossentropy.RequireLabelSmoothing(labelSmoothing);
        ArgumentNullException.ThrowIfNull(optimizer);
        RequireLayers();
        var lossFunction = new LossFunction(loss, labelSmoothing);
        foreach (var metric in metrics ?? new[] { "accuracy" })
        {
            if (metric != "accuracy")
            {
                throw new ArgumentException($"Could not interpret metric identifier: {metric}. Expected one of: accuracy.",
                    nameof(metrics));
            }
        }
        Optimizer = optimizer;
        LossFunction = lossFunction;
    }

    /// <summary>The loss and its label smoothing, set by Compile.</summary>
    public LossFunction LossFunction { get; private set; } = new();

    /// <summary>Label smoothing of the loss, set by Compile; 0 for none.</summary>
    public double LabelSmoothing => LossFunction.LabelSmoothing;

    /// <summary>
    /// The loss set by Compile: sparse_categorical_crossentropy (integer labels, shape (N)) or categorical_crossentropy
    /// (one-hot labels, shape (N, classes); <see cref="Data.Categorical.ToCategorical"/> makes them).
    /// </summary>
    public string Loss => LossFunction.Name;

    /// <summary>Keras' fit: trains on x (N, C, H, W) and integer labels y (N). See <see cref="FitOptions"/> for the settings.</summary>
    public History Fit(Tensor x, Tensor y, int batchSize = 32, int epochs = 1, double validationSplit = 0,
        (Tensor X, Tensor Y)? validationData = null, bool shuffle = true, long? seed = null, int verbose = 1,
        IEnumerable<Callback>? callbacks = null) =>
        Fit(x, y, new FitOptions
        {
            BatchSize = batchSize,
            Epochs = epochs,
            ValidationSplit = validationSplit,
            ValidationData = validationData,
            Shuffle = shuffle,
            Seed = seed,
            Verbose = verbose,
            Callbacks = callbacks?.ToList() ?? new List<Callback>(),
        });

    /// <summary>Keras' fit with the settings in one object.</summary>
    public History Fit(Tensor x, Tensor y, FitOptions options)
    {
        RequireCompiled();
        return new Trainer(this, Optimizer!, LossFunction, options).Fit(x, y);
    }

    /// <summary>
    /// Keras' evaluate: mean loss and accuracy over (x, y), in inference mode. With a test-time augmentation the loss
    /// and accuracy are those of the averaged outputs.
    /// </summary>
    public Evaluation Evaluate(Tensor x, Tensor y, int batchSize = 32, TestTimeAugmentation augmentation = TestTimeAugmentation.None)
    {
        RequireLayers();
        DataChecks.RequireBatchSize(batchSize);
        DataChecks.RequireSamples(this, LossFunction, x, y, "x", "y");
        TestTimeAugmented.Require(InputShape!, augmentation);
        using var standardized = Standardized(x);
        return Evaluator.Evaluate(this, LossFunction, standardized ?? x, y, batchSize,
            augmentation == TestTimeAugmentation.None ? null : batch => TestTimeAugmented.Apply(augmentation, batch, forward));
    }

    /// <summary>
    /// Keras' predict: the model's outputs (class probabilities after a softmax) for x, in inference mode; with a
    /// test-time augmentation, their mean over the augmented copies.
    /// </summary>
    public Tensor Predict(Tensor x, int batchSize = 32, TestTimeAugmentation augmentation = TestTimeAugmentation.None)
    {
        RequireLayers();
        DataChecks.RequireBatchSize(batchSize);
        DataChecks.RequireInputShape(this, x, "x");
        TestTimeAugmented.Require(InputShape!, augmentation);
        using var standardized = Standardized(x);
        return TestTimeAugmented.Apply(augmentation, standardized ?? x, images => Evaluator.Predict(this, images, batchSize));
    }

    /// <summary>A standardised copy of the inputs when the model keeps <see cref="InputStandardization"/>, else null.</summary>
    private Tensor? Standardized(Tensor x)
    {
        if (InputStandardization is not { } standardization)
        {
            return null;
        }
        var copy = x.clone();
        standardization.Apply(copy);
        return copy;
    }

    // Data comes as images: an input without its channel axis takes single-channel ones (forward drops the axis).
    Shape IImageClassifier.InputShape => ImageShape;

    Shape ITrainableModel.InputShape => ImageShape;

    private Shape ImageShape => InputShape?.AsImage() ?? throw new InvalidOperationException("The model has no input shape.");

    /// <summary>How many classes the outputs score: the last layer's channels.</summary>
    public int ClassCount => OutputShape?.Channels ?? throw new InvalidOperationException("The model has no layers.");

    nn.Module ITrainableModel.Module => this;

    Tensor ITrainableModel.Forward(Tensor input) => forward(input);

    Tensor ITrainableModel.ForwardLogits(Tensor input) => ForwardLogits(input);

    Tensor IImageClassifier.Predict(Tensor images, int batchSize) => Predict(images, batchSize);

    /// <summary>How many weights (parameters and statistics) are NaN or infinite, and how many there are.</summary>
    public (long NonFinite, long Total) CountNonFiniteWeights()
    {
        using var scope = NewDisposeScope();
        var weights = state_dict().Values.Where(t => t.is_floating_point()).ToList();
        return (weights.Sum(t => t.isfinite().logical_not().sum().item<long>()), weights.Sum(t => t.numel()));
    }

    string IImageClassifier.NonFiniteCause()
    {
        var (nonFinite, total) = CountNonFiniteWeights();
        return nonFinite > 0
            ? $"{nonFinite:N0} of its {total:N0} weights are NaN or infinite. Its training diverged or the file is damaged: " +
                $"retrain it (a lower learning rate), or use an earlier checkpoint."
            : "its weights are all finite, so the input overflows it. Check that the images are scaled as the training data were.";
    }
}
