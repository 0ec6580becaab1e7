using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnLab.Optimizers;

/// <summary>SGD with Keras' defaults: learning_rate 0.01, momentum 0, nesterov false.</summary>
public sealed class SGD : Optimizer, IMomentumOptimizer
{
    /// <summary>Creates the configuration.</summary>
    public SGD(double learningRate = 0.01, double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : base(learningRate, weightDecay)
    {
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <inheritdoc />
    public override string Name => "sgd";

    /// <summary>Momentum, in [0, 1).</summary>
    public double Momentum
    {
        get => _momentum;
        set
        {
            OptimizerArguments.RequireUnitInterval(value, "momentum");
            RequireMomentumForNesterov(_nesterov, value);
            _momentum = value;
        }
    }

    /// <summary>Whether to use Nesterov momentum (which needs a momentum above 0).</summary>
    public bool Nesterov
    {
        get => _nesterov;
        set
        {
            RequireMomentumForNesterov(value, _momentum);
            _nesterov = value;
        }
    }

    private double _momentum;
    private bool _nesterov;

    /// <inheritdoc />
    public override optim.Optimizer Create(IEnumerable<Parameter> parameters) =>
        optim.SGD(parameters, LearningRate, Momentum, nesterov: Nesterov);

    private static void RequireMomentumForNesterov(bool nesterov, double momentum)
    {
        if (nesterov && momentum == 0)
        {
            throw new ArgumentException(
                "Invalid value for argument `nesterov`. Nesterov momentum requires momentum > 0. Received: nesterov=True, momentum=0",
                nameof(nesterov));
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"SGD(learning_rate={LearningRate}, momentum={Momentum}, nesterov={Nesterov}{WeightDecayText})");
}
