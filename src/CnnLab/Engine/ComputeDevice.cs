using static TorchSharp.torch;

namespace CnnLab.Engine;

/// <summary>Turns a device name into a libtorch device, refusing ones this build cannot use.</summary>
public static class ComputeDevice
{
    /// <summary>"cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var lower = name.Trim().ToLowerInvariant();
        if (lower == "cpu")
        {
            return CPU;
        }
        if (lower == "cuda" || lower.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
            {
                throw new ArgumentException(
                    $"Device \"{name}\" is not available: this CnnLab build uses libtorch's CPU package and no CUDA device was found. " +
                    "Use `device` cpu, or build against a libtorch-cuda package on a machine with an NVIDIA GPU.", nameof(name));
            }
            var device = new Device(lower);
            if (device.index >= cuda.device_count())
            {
                throw new ArgumentException(
                    $"Device \"{name}\" does not exist: {cuda.device_count()} CUDA device(s) " +
                    $"found (cuda:0 to cuda:{cuda.device_count() - 1}).", nameof(name));
            }
            return device;
        }
        throw new ArgumentException($"Unknown device \"{name}\". Expected one of: cpu, cuda, cuda:N.", nameof(name));
    }
}
