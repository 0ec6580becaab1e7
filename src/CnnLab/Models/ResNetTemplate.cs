using System.Globalization;
using CnnLab.Core;
using CnnLab.Layers;

namespace CnnLab.Models;

/// <summary>
/// A residual network (He et al., "Deep Residual Learning for Image Recognition", 2016) as the MLCommons Tiny ResNet-8
/// builds it: a 3x3 Conv2D, BatchNormalization and ReLU stem, then <see cref="Stages"/> stages of
/// <see cref="BlocksPerStage"/> residual blocks (Conv2D 3x3, BatchNormalization, ReLU, Conv2D 3x3, BatchNormalization,
/// added to the block's input, then ReLU), the first block of every stage after the first halving the resolution with
/// a stride of 2 and a 1x1 Conv2D on its shortcut; filters start at <see cref="Width"/> and double each stage. Then
/// global average pooling and a softmax Dense. A functional <see cref="Model"/>: the shortcuts make it a graph.
/// </summary>
public sealed record ResNetTemplate
{
    /// <summary>The most stages: each halves the resolution, so 8 already needs 128-pixel images.</summary>
    public const int MaxStages = 8;

    /// <summary>The most residual blocks per stage.</summary>
    public const int MaxBlocksPerStage = 32;

    /// <summary>The most filters of the last stage.</summary>
    public const int MaxFilters = 4096;

    /// <summary>Stages of residual blocks, each at half the resolution of the one before.</summary>
    public int Stages { get; init; } = 3;

    /// <summary>Residual blocks per stage.</summary>
    public int BlocksPerStage { get; init; } = 1;

    /// <summary>Filters of the stem and the first stage; each stage doubles them.</summary>
    public int Width { get; init; } = 16;

    /// <summary>The filters of the last stage.</summary>
    public long LastFilters => (long)Width << (Stages - 1);

    /// <summary>Throws, naming the setting, when the template cannot make a model.</summary>
    public void Validate()
    {
        if (Stages is < 1 or > MaxStages || BlocksPerStage is < 1 or > MaxBlocksPerStage || Width < 1 || LastFilters > MaxFilters)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A ResNet needs 1 to {MaxStages} stages, 1 to {MaxBlocksPerStage} blocks per stage and a width whose last stage " +
                $"(width x 2^(stages - 1)) has at most {MaxFilters} filters; received stages {Stages}, blocks_per_stage " +
                $"{BlocksPerStage}, width {Width}."));
        }
    }

    /// <summary>The model for images of <paramref name="inputShape"/> and <paramref name="classes"/> classes.</summary>
    public Model Build(Shape inputShape, int classes, long? seed, string name = "resnet")
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        Validate();
        var input = Model.Input(inputShape.AsImage());
        var x = new ReLU().Call(new BatchNormalization().Call(Convolution(Width, 3, 1).Call(input)));
        for (var stage = 0; stage < Stages; stage++)
        {
            var filters = Width << stage;
            for (var block = 0; block < BlocksPerStage; block++)
            {
                var stride = stage > 0 && block == 0 ? 2 : 1;
                var y = new ReLU().Call(new BatchNormalization().Call(Convolution(filters, 3, stride).Call(x)));
                y = new BatchNormalization().Call(Convolution(filters, 3, 1).Call(y));
                var shortcut = stride != 1 || x.Shape.Channels != filters ? Convolution(filters, 1, stride).Call(x) : x;
                x = new ReLU().Call(new Add().Call(shortcut, y));
            }
        }
        var output = new Dense(classes, activation: "softmax").Call(new GlobalAveragePooling2D().Call(x));
        return new Model(input, output, seed, name);
    }

    private static Conv2D Convolution(int filters, int kernel, int stride) =>
        new(filters, kernel, new Size2(stride, stride), Padding.Same);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"resnet {Stages} stages x {BlocksPerStage} block(s), width {Width}");
}
