using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnLab.Optimizers;

/// <summary>An optimizer's configuration with Keras' names and defaults; <see cref="Create"/> binds it to a model's weights.</summary>
public abstract class Optimizer
{
    /// <summary>Stores the learning rate after checking it.</summary>
    protected Optimizer(double learningRate)
    {
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
        {
            throw new ArgumentException(
                $"Invalid value for argument `learningRate`. Expected a strictly positive finite value. Received: learningRate={learningRate}",
                nameof(learningRate));
        }
        LearningRate = learningRate;
    }

    /// <summary>Keras' lower-case name: adam, rmsprop, sgd.</summary>
    public abstract string Name { get; }

    /// <summary>The step size.</summary>
    public double LearningRate { get; }

    /// <summary>A libtorch optimizer over these parameters with this configuration.</summary>
    public abstract optim.Optimizer Create(IEnumerable<Parameter> parameters);

    /// <summary>The settings as Keras would list them, for logs and reports.</summary>
    public abstract override string ToString();
}
