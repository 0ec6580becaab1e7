using CnnLab.Core;
using CnnLab.Data;
using CnnLab.Layers;
using static TorchSharp.torch;

namespace CnnLab.Models;

/// <summary>
/// What <c>evaluate</c> and <c>predict</c> need of a trained model, whichever engine runs it: a CnnLab
/// <see cref="Sequential"/> on libtorch, or an exported ONNX file on ONNX Runtime (CnnLab.OnnxRuntime).
/// </summary>
public interface IImageClassifier : IDisposable
{
    /// <summary>One image's shape (height, width, channels).</summary>
    Shape InputShape { get; }

    /// <summary>How many classes the outputs score.</summary>
    int ClassCount { get; }

    /// <summary>The class names in output order, when the model keeps them.</summary>
    IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The per-channel standardisation its training data had after scaling to [0, 1], if any.</summary>
    Standardization? InputStandardization { get; }

    /// <summary>The dataset it was trained on, when known.</summary>
    string? TrainingDataset { get; }

    /// <summary>True when the outputs are probabilities (a final softmax), false for scores.</summary>
    bool OutputsProbabilities { get; }

    /// <summary>
    /// The outputs for N x C x H x W images scaled as the training data were (to [0, 1]), in inference mode; the
    /// classifier applies its own <see cref="InputStandardization"/>, if any (wrap the classifier
    /// in <see cref="TestTimeAugmented"/> to average over augmented copies).
    /// </summary>
    Tensor Predict(Tensor images, int batchSize);

    /// <summary>Why outputs might not be finite, for the error that reports them (see <see cref="FiniteOutputs"/>).</summary>
    string NonFiniteCause();
}
