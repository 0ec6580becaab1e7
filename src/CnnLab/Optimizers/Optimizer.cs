using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnLab.Optimizers;

/// <summary>An optimizer's configuration with Keras' names and defaults; <see cref="Create"/> binds it to a model's weights.</summary>
public abstract class Optimizer
{
    /// <summary>Stores the learning rate and the decoupled weight decay after checking them.</summary>
    protected Optimizer(double learningRate, double weightDecay = 0)
    {
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay))
        {
            throw new ArgumentException(
                $"Invalid value for argument `weightDecay`. Expected a finite value >= 0. Received: weightDecay={weightDecay}",
                nameof(weightDecay));
        }
        WeightDecay = weightDecay;
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
        {
            throw new ArgumentException(
                $"Invalid value for argument `learningRate`. Expected a strictly positive finite value. Received: " +
                $"learningRate={learningRate}",
                nameof(learningRate));
        }
        LearningRate = learningRate;
    }

    /// <summary>Keras' lower-case name: adam, rmsprop, sgd.</summary>
    public abstract string Name { get; }

    /// <summary>The step size.</summary>
    public double LearningRate { get; }

    /// <summary>
    /// Decoupled weight decay, as Keras 3 applies it for every optimizer: before each update every trainable weight
    /// becomes w - learning_rate * weight_decay * w (so it follows the learning-rate schedule), independently of the
    /// gradient-based step (Loshchilov and Hutter's AdamW). 0 for none.
    /// </summary>
    public double WeightDecay { get; }

    /// <summary>
    /// Keras' <c>clipnorm</c>: before each step the gradient of each weight is scaled, on its own, so that its L2 norm
    /// is at most this value (g * clipnorm / max(||g||, clipnorm), Keras 3's <c>_clip_by_norm</c>); null for none.
    /// Each weight separately, not one global norm over all of them (Keras' <c>global_clipnorm</c>).
    /// </summary>
    public double? ClipNorm
    {
        get => _clipNorm;
        set
        {
            if (value is { } norm && !(norm > 0 && double.IsFinite(norm)))
            {
                var message = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"Invalid value for argument `clipnorm`. Expected a strictly positive finite value. Received: clipnorm={norm}");
                throw new ArgumentException(message, nameof(ClipNorm));
            }
            _clipNorm = value;
        }
    }

    private double? _clipNorm;

    /// <summary>
    /// Keras 3's <c>use_ema</c>: keep a moving average of the trainable weights during a Fit and end it with the weights
    /// replaced by their averages (the weights of a training's last steps, smoothed).
    /// </summary>
    public bool UseEma { get; set; }

    /// <summary>Keras 3's <c>ema_momentum</c> (0.99): how much of the average each step keeps, in [0, 1).</summary>
    public double EmaMomentum
    {
        get => _emaMomentum;
        set
        {
            OptimizerArguments.RequireUnitInterval(value, "ema_momentum");
            _emaMomentum = value;
        }
    }

    private double _emaMomentum = 0.99;

    /// <summary>
    /// The decoupled weight decay, before the step as Keras 3 orders it: w -= learning_rate * weight_decay * w for each
    /// trainable weight; nothing when <see cref="WeightDecay"/> is 0.
    /// </summary>
    public void DecayWeights(IEnumerable<Parameter> trainable, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(trainable);
        if (WeightDecay == 0)
        {
            return;
        }
        using var _ = no_grad();
        foreach (var weight in trainable)
        {
            weight.mul_(1 - learningRate * WeightDecay);
        }
    }

    /// <summary>
    /// Clips each parameter's gradient to <see cref="ClipNorm"/> in place (nothing without it); the trainer calls it
    /// between the backward pass and the step.
    /// </summary>
    public void ClipGradients(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (ClipNorm is not { } limit)
        {
            return;
        }
        using var _ = no_grad();
        foreach (var parameter in parameters)
        {
            using var gradient = parameter.grad;
            if (gradient is null)
            {
                continue;
            }
            // g * c / max(||g||, c): a gradient within the limit is multiplied by exactly 1, a zero one stays zero.
            using var norm = gradient.norm();
            using var larger = norm.clamp_min(limit);
            using var factor = larger.reciprocal().mul_(limit);
            gradient.mul_(factor);
        }
    }

    /// <summary>A libtorch optimizer over these parameters with this configuration.</summary>
    public abstract optim.Optimizer Create(IEnumerable<Parameter> parameters);

    /// <summary>The settings as Keras would list them, for logs and reports.</summary>
    public abstract override string ToString();

    /// <summary>", weight_decay=X", ", clipnorm=X" and ", use_ema=True, ema_momentum=X" for those that are set, for
    /// <see cref="ToString"/>.</summary>
    protected string WeightDecayText =>
        (WeightDecay > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $", weight_decay={WeightDecay}") : "") +
        (ClipNorm is { } clip ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $", clipnorm={clip}") : "") +
        (UseEma ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $", use_ema=True, ema_momentum={EmaMomentum}") : "");
}
