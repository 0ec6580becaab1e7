namespace CnnLab.Training.Schedules;

/// <summary>
/// The one-cycle policy as PyTorch's OneCycleLR (cosine annealing, two phases): from max / divFactor up to
/// <see cref="MaxRate"/> over the first <see cref="PctStart"/> of the steps, then down to
/// max / divFactor / finalDivFactor at the last step of <see cref="Epochs"/>; the final rate after it.
/// </summary>
public sealed class OneCycle : LearningRateSchedule
{
    /// <summary>Creates the schedule; PyTorch's defaults: pctStart 0.3, divFactor 25, finalDivFactor 1e4.</summary>
    public OneCycle(double maxRate, int epochs, double pctStart = 0.3, double divFactor = 25, double finalDivFactor = 1e4)
    {
        MaxRate = RequireRate(maxRate, nameof(maxRate));
        Epochs = epochs >= 1 ? epochs
            : throw new ArgumentException(Invalid(nameof(epochs), epochs, "an integer >= 1 (the cycle must last)"), nameof(epochs));
        PctStart = pctStart > 0 && pctStart < 1 ? pctStart
            : throw new ArgumentException(Invalid(nameof(pctStart), pctStart, "a value in (0, 1)"), nameof(pctStart));
        DivFactor = divFactor >= 1 && !double.IsInfinity(divFactor) ? divFactor
            : throw new ArgumentException(Invalid(nameof(divFactor), divFactor, "a finite value >= 1"), nameof(divFactor));
        FinalDivFactor = finalDivFactor >= 1 && !double.IsInfinity(finalDivFactor)
            ? finalDivFactor
            : throw new ArgumentException(Invalid(nameof(finalDivFactor), finalDivFactor, "a finite value >= 1"), nameof(finalDivFactor));
    }

    /// <summary>Peak rate.</summary>
    public double MaxRate { get; }

    /// <summary>Length of the cycle.</summary>
    public int Epochs { get; }

    /// <summary>Fraction of the steps spent increasing.</summary>
    public double PctStart { get; }

    /// <summary>Initial rate = max / divFactor.</summary>
    public double DivFactor { get; }

    /// <summary>Final rate = initial / finalDivFactor.</summary>
    public double FinalDivFactor { get; }

    /// <inheritdoc />
    public override double Rate(long step, int stepsPerEpoch)
    {
        var total = (long)Epochs * stepsPerEpoch;
        var initial = MaxRate / DivFactor;
        var final = initial / FinalDivFactor;
        var peakStep = PctStart * total - 1;
        var lastStep = total - 1.0;
        if (step <= peakStep)
        {
            return Anneal(initial, MaxRate, peakStep <= 0 ? 1 : step / peakStep);
        }
        return Anneal(MaxRate, final, Math.Min(1, (step - peakStep) / (lastStep - peakStep)));
    }

    private static double Anneal(double start, double end, double fraction) => end + (start - end) / 2 * (Math.Cos(Math.PI * fraction) + 1);
}
