using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnLab.Optimizers;

/// <summary>RMSprop with Keras' defaults: learning_rate 0.001, rho 0.9, momentum 0,
/// epsilon 1e-7 (added after the square root, as Keras and PyTorch both do).</summary>
public sealed class RMSprop : Optimizer, IMomentumOptimizer
{
    /// <summary>Creates the configuration.</summary>
    public RMSprop(double learningRate = 0.001, double rho = 0.9, double momentum = 0, double epsilon = 1e-7, double weightDecay = 0)
        : base(learningRate, weightDecay)
    {
        OptimizerArguments.RequireUnitInterval(rho, nameof(rho));
        OptimizerArguments.RequirePositive(epsilon, nameof(epsilon));
        Rho = rho;
        Momentum = momentum;
        Epsilon = epsilon;
    }

    /// <inheritdoc />
    public override string Name => "rmsprop";

    /// <summary>Decay of the moving average of squared gradients.</summary>
    public double Rho { get; }

    /// <summary>Momentum, in [0, 1).</summary>
    public double Momentum
    {
        get => _momentum;
        set
        {
            OptimizerArguments.RequireUnitInterval(value, "momentum");
            _momentum = value;
        }
    }

    private double _momentum;

    /// <summary>Added to the denominator for stability.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public override optim.Optimizer Create(IEnumerable<Parameter> parameters) =>
        optim.RMSProp(parameters, LearningRate, Rho, Epsilon, momentum: Momentum);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"RMSprop(learning_rate={LearningRate}, rho={Rho}, momentum={Momentum}, epsilon={Epsilon}{WeightDecayText})");
}
