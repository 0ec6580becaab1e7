namespace CnnLab.Optimizers;

/// <summary>Range checks shared by the optimizers' constructors, worded as Keras' errors.</summary>
internal static class OptimizerArguments
{
    public static void RequireUnitInterval(double value, string argument)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentException(
                $"Invalid value for argument `{argument}`. Expected a value in [0, 1). Received: {argument}={value}", argument);
        }
    }

    public static void RequirePositive(double value, string argument)
    {
        if (!(value > 0))
        {
            throw new ArgumentException(
                $"Invalid value for argument `{argument}`. Expected a strictly positive value. Received: {argument}={value}", argument);
        }
    }
}
