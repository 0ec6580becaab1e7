using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnLab.Optimizers;

/// <summary>SGD with Keras' defaults: learning_rate 0.01, momentum 0, nesterov false.</summary>
public sealed class SGD : Optimizer
{
    /// <summary>Creates the configuration.</summary>
    public SGD(double learningRate = 0.01, double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : base(learningRate, weightDecay)
    {
        OptimizerArguments.RequireUnitInterval(momentum, nameof(momentum));
        if (nesterov && momentum == 0)
        {
            throw new ArgumentException(
                "Invalid value for argument `nesterov`. Nesterov momentum requires momentum > 0. Received: nesterov=True, momentum=0",
                nameof(nesterov));
        }
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <inheritdoc />
    public override string Name => "sgd";

    /// <summary>Momentum.</summary>
    public double Momentum { get; }

    /// <summary>Whether to use Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc />
    public override optim.Optimizer Create(IEnumerable<Parameter> parameters) =>
        optim.SGD(parameters, LearningRate, Momentum, nesterov: Nesterov);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"SGD(learning_rate={LearningRate}, momentum={Momentum}, nesterov={Nesterov}{WeightDecayText})");
}
