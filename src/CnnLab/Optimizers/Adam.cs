using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnLab.Optimizers;

/// <summary>Adam with Keras' defaults: learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7.</summary>
public sealed class Adam : Optimizer
{
    /// <summary>Creates the configuration.</summary>
    public Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double weightDecay = 0)
        : base(learningRate, weightDecay)
    {
        OptimizerArguments.RequireUnitInterval(beta1, nameof(beta1));
        OptimizerArguments.RequireUnitInterval(beta2, nameof(beta2));
        OptimizerArguments.RequirePositive(epsilon, nameof(epsilon));
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <inheritdoc />
    public override string Name => "adam";

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator for stability.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public override optim.Optimizer Create(IEnumerable<Parameter> parameters) =>
        optim.Adam(parameters, LearningRate, Beta1, Beta2, Epsilon);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Adam(learning_rate={LearningRate}, beta_1={Beta1}, beta_2={Beta2}, epsilon={Epsilon}{WeightDecayText})");
}
