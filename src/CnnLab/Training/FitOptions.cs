using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>Keras' fit arguments, with Keras' defaults.</summary>
public sealed record FitOptions
{
    /// <summary>Samples per gradient step; Keras' default is 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>
    /// Keras' dtype policy while training: float32, or mixed_bfloat16 (convolutions and matrix products in bfloat16 on
    /// float32 weights) where this machine supports it (<see cref="Engine.MixedPrecision.Unavailable"/>); elsewhere one
    /// line on <see cref="Warnings"/> and float32. <see cref="History.Precision"/> says which was used.
    /// </summary>
    public Engine.Precision Precision { get; init; } = Engine.Precision.Float32;

    /// <summary>Fraction in [0, 1) held out for validation: the LAST samples, taken before any shuffling, as Keras does.</summary>
    public double ValidationSplit { get; init; }

    /// <summary>Explicit validation data; takes precedence over <see cref="ValidationSplit"/>, as in Keras.</summary>
    public (Tensor X, Tensor Y)? ValidationData { get; init; }

    /// <summary>Whether to reshuffle the training samples before each epoch.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the shuffles and of dropout; null draws one.</summary>
    public long? Seed { get; init; }

    /// <summary>0 silent, 1 progress bar (Keras' meaning).</summary>
    public int Verbose { get; init; } = 1;

    /// <summary>
    /// A folder for a checkpoint after every epoch. When it already holds one, Fit continues from that epoch with
    /// the saved weights, optimizer and generator states and History, and ends as an uninterrupted Fit would.
    /// </summary>
    public string? CheckpointFolder { get; init; }

    /// <summary>
    /// Augmentation layers (RandomFlip, RandomTranslation, ...) applied in this order to every training batch, in
    /// training mode, before the model; validation, evaluation and prediction never see them. Each must keep the
    /// image shape. They are seeded from <see cref="Seed"/> like the model's random layers.
    /// </summary>
    public IReadOnlyList<Layers.Layer> Augmentation { get; init; } = Array.Empty<Layers.Layer>();

    /// <summary>mixup or CutMix applied to every training batch after <see cref="Augmentation"/>; null for none.</summary>
    public Augmentation.BatchMix? BatchMix { get; init; }

    /// <summary>
    /// Where Fit writes its warnings (one line each, before the first epoch), such as training and validation data that
    /// hold different classes; null for standard error.
    /// </summary>
    public TextWriter? Warnings { get; init; }

    /// <summary>Callbacks, called in this order after the progress bar.</summary>
    public IReadOnlyList<Callback> Callbacks { get; init; } = Array.Empty<Callback>();
}
