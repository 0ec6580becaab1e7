namespace CnnLab.Optimizers;

/// <summary>An optimizer with Keras' <c>momentum</c> argument (SGD, RMSprop), settable after construction for study keys.</summary>
public interface IMomentumOptimizer
{
    /// <summary>The momentum, in [0, 1).</summary>
    double Momentum { get; set; }
}
