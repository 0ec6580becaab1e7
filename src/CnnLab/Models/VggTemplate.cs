using CnnLab.Core;
using CnnLab.Layers;

namespace CnnLab.Models;

/// <summary>
/// A VGG-style model: blocks of Conv2D ('same' padding) each followed by an activation, a pooling layer per
/// block, then Flatten, hidden Dense layers with the same activation, and a softmax output. BatchNormalization
/// goes before or after every activation, or nowhere. The notebook's five models are instances of it.
/// </summary>
public sealed record VggTemplate
{
    /// <summary>Filters of each Conv2D, block by block: [[20, 20], [40, 40]] is two blocks of two convolutions.</summary>
    public required IReadOnlyList<IReadOnlyList<int>> Blocks { get; init; }

    /// <summary>Kernel size of each block (one entry applies to all blocks).</summary>
    public IReadOnlyList<int> KernelSizes { get; init; } = new[] { 3 };

    /// <summary>Pool size after each block.</summary>
    public int PoolSize { get; init; } = 2;

    /// <summary>The activation: leaky_relu means the LeakyReLU layer (alpha
    /// 0.3), relu the ReLU layer; other names an Activation layer.</summary>
    public string Activation { get; init; } = "leaky_relu";

    /// <summary>Where BatchNormalization goes.</summary>
    public BatchNormPlacement BatchNorm { get; init; } = BatchNormPlacement.None;

    /// <summary>
    /// Whether BatchNormalization learns a scale (gamma; Keras' <c>scale</c>): null or true as Keras' default, false
    /// for none (the next layer's weights can do its work, as the fastest CIFAR-10 trainers leave it out).
    /// </summary>
    public bool? BatchNormScale { get; init; }

    /// <summary>Units of the hidden Dense layers.</summary>
    public IReadOnlyList<int> Dense { get; init; } = new[] { 32, 32 };

    /// <summary>Dropout rate after each hidden Dense activation; 0 for none.</summary>
    public double Dropout { get; init; }

    /// <summary>SpatialDropout2D rate after each block's pooling; 0 for none.</summary>
    public double SpatialDropout { get; init; }

    /// <summary>Standard deviation of a GaussianNoise layer on the input; 0 for none.</summary>
    public double GaussianNoise { get; init; }

    /// <summary>Kernel regularizer of every Conv2D and hidden Dense layer; null for none.</summary>
    public Regularizer? KernelRegularizer { get; init; }

    /// <summary>Builds the model for an input shape and a number of classes.</summary>
    public Sequential Build(Shape inputShape, int classes, long? seed, string name = "sequential")
    {
        if (Blocks.Count == 0)
        {
            throw new ArgumentException("A VGG template needs at least one block of filters, e.g. blocks: [[20, 20]].");
        }
        if (KernelSizes.Count != 1 && KernelSizes.Count != Blocks.Count)
        {
            throw new ArgumentException(
                $"kernel_size has {KernelSizes.Count} entries for {Blocks.Count} blocks; give one for all blocks or one per block.");
        }
        var model = new Sequential(inputShape, seed, name);
        if (GaussianNoise > 0)
        {
            model.Add(new Layers.GaussianNoise(GaussianNoise));
        }
        for (var b = 0; b < Blocks.Count; b++)
        {
            var kernel = KernelSizes[KernelSizes.Count == 1 ? 0 : b];
            foreach (var filters in Blocks[b])
            {
                model.Add(new Conv2D(filters, kernel, padding: Padding.Same, kernelRegularizer: KernelRegularizer));
                AddActivation(model);
            }
            model.Add(new MaxPooling2D(PoolSize));
            if (SpatialDropout > 0)
            {
                model.Add(new SpatialDropout2D(SpatialDropout));
            }
        }
        model.Add(new Flatten());
        foreach (var units in Dense)
        {
            model.Add(new Dense(units, kernelRegularizer: KernelRegularizer));
            AddActivation(model);
            if (Dropout > 0)
            {
                model.Add(new Layers.Dropout(Dropout));
            }
        }
        model.Add(new Dense(classes, activation: "softmax"));
        return model;
    }

    private void AddActivation(Sequential model)
    {
        if (BatchNorm == BatchNormPlacement.Before)
        {
            model.Add(new BatchNormalization(scale: BatchNormScale ?? true));
        }
        // The activation layers overwrite their input in place (an intermediate only they read), which saves a pass.
        model.Add(Activation switch
        {
            "leaky_relu" => new LeakyReLU(),
            "relu" => new ReLU(),
            _ => new Layers.Activation(Activation),
        });
        if (BatchNorm == BatchNormPlacement.After)
        {
            model.Add(new BatchNormalization(scale: BatchNormScale ?? true));
        }
    }
}
