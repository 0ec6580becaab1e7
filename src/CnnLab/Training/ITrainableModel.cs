using CnnLab.Core;
using CnnLab.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>
/// What the training loop, its checks and its callbacks know of a model: its shapes and layers, its weights (as a
/// TorchSharp module), a forward pass with or without the final softmax, its regularization penalty and how to save
/// it. <see cref="Models.Sequential"/> is one; the trainer never needs to know which.
/// </summary>
public interface ITrainableModel
{
    /// <summary>The model's name, for messages.</summary>
    string ModelName { get; }

    /// <summary>One input sample's shape.</summary>
    Shape InputShape { get; }

    /// <summary>How many classes the outputs score.</summary>
    int ClassCount { get; }

    /// <summary>The class names in output order, when known.</summary>
    IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The layers in order; layers that draw random numbers get seeded generators from the Fit's seed.</summary>
    IReadOnlyList<Layer> Layers { get; }

    /// <summary>The device the weights live on.</summary>
    Device Device { get; }

    /// <summary>The weights as a TorchSharp module: parameters, state_dict, train/eval mode, save and load.</summary>
    nn.Module Module { get; }

    /// <summary>True when the last operation is a softmax, so the loss can use <see cref="ForwardLogits"/>.</summary>
    bool OutputsProbabilities { get; }

    /// <summary>The model's outputs for a batch.</summary>
    Tensor Forward(Tensor input);

    /// <summary>The scores before the final softmax; only when <see cref="OutputsProbabilities"/>.</summary>
    Tensor ForwardLogits(Tensor input);

    /// <summary>The sum of the layers' regularization penalties, or null when no layer has one.</summary>
    Tensor? RegularizationLoss();

    /// <summary>Saves architecture and weights to one file (what <c>ModelCheckpoint</c> writes).</summary>
    void Save(string path);
}
