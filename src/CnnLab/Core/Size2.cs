namespace CnnLab.Core;

/// <summary>A (height, width) pair such as kernel_size or pool_size; an int means the same on both axes, as in Keras.</summary>
public readonly record struct Size2(int Height, int Width)
{
    /// <summary>A square size.</summary>
    public static implicit operator Size2(int size) => new(size, size);

    /// <summary>A (height, width) tuple.</summary>
    public static implicit operator Size2((int Height, int Width) size) => new(size.Height, size.Width);

    /// <summary>Keras' text: (3, 3).</summary>
    public override string ToString() => $"({Height}, {Width})";

    internal void RequirePositive(string argument)
    {
        if (Height <= 0 || Width <= 0)
        {
            throw new ArgumentException(
                $"Invalid value for argument `{argument}`. Expected a strictly positive value. Received {argument}={this}", argument);
        }
    }
}
