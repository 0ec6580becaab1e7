using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnLab.Optimizers;

/// <summary>
/// AdamW with Keras' defaults: Adam (learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7) plus decoupled
/// weight decay 0.004, applied by the trainer as for every optimizer (see <see cref="Optimizer.WeightDecay"/>).
/// </summary>
public sealed class AdamW : Optimizer
{
    private readonly Adam _adam;

    /// <summary>Creates the configuration.</summary>
    public AdamW(double learningRate = 0.001, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7)
        : base(learningRate, weightDecay) => _adam = new Adam(learningRate, beta1, beta2, epsilon);

    /// <inheritdoc />
    public override string Name => "adamw";

    /// <inheritdoc />
    public override optim.Optimizer Create(IEnumerable<Parameter> parameters) => _adam.Create(parameters);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"AdamW(learning_rate={LearningRate}, weight_decay={WeightDecay}, beta_1={_adam.Beta1}, beta_2={_adam.Beta2}, " +
        $"epsilon={_adam.Epsilon})");
}
