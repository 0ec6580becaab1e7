using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Json;
using CnnLab.Layers;
using CnnLab.Models;
using PureHDF;
using static TorchSharp.torch;

namespace CnnLab.Models.Saving;

/// <summary>
/// Keras' files as HDF5 (PureHDF): weight names and roles, datasets that are read only after their layer has checked
/// the shape they claim, text attributes, and the bounded unpacking of a .keras archive's weights.
/// </summary>
internal static class KerasHdf5
{
    /// <summary>"conv2d/kernel:0" is a kernel; the role is the last name before ":".</summary>
    internal static string Role(string weightName)
    {
        var last = weightName.Split('/')[^1];
        var colon = last.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? last : last[..colon];
    }

    /// <summary>Copies a zip entry, refusing one that unpacks to more than its header claimed.</summary>
    internal static void CopyAtMost(Stream source, Stream target, long claimed, string path)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
        {
            total += read;
            if (total > claimed)
            {
                throw new InvalidDataException($"{path}: model.weights.h5 unpacks to more than the {claimed:N0} bytes its zip " +
                    $"header claims.");
            }
            target.Write(buffer, 0, read);
        }
    }

    /// <summary>A dataset's stated shape, read only once its layer has checked that shape (<see cref="KerasWeights.Get"/>).</summary>
    internal static KerasWeight Weight(IH5Group group, string name, string path)
    {
        var dataset = group.Dataset(name);
        var dims = dataset.Space.Dimensions.Select(d => (long)d).ToArray();
        return new KerasWeight(dims, () => Read(dataset, dims, name, path));
    }

    internal static Tensor Read(IH5Dataset dataset, long[] dims, string name, string path)
    {
        var count = dims.Aggregate(1L, (a, b) => checked(a * b));
        if (count > 1L << 30)
        {
            throw new InvalidDataException($"{path}: weight {name} claims {count:N0} values; CnnLab models hold at most " +
                $"{1L << 30:N0} weights.");
        }
        // Keras stores weights as float32, and a few counters (Normalization's count) as integers.
        var values = dataset.Type.Class != H5DataTypeClass.FixedPoint ? dataset.Read<float[]>()
            : dataset.Type.Size == 8 ? dataset.Read<long[]>().Select(v => (float)v).ToArray()
            : dataset.Read<int[]>().Select(v => (float)v).ToArray();
        if (values.LongLength != count)
        {
            throw new InvalidDataException($"{path}: weight {name} holds {values.Length:N0} values for shape ({string.Join(", ", dims)}).");
        }
        return tensor(values, dims);
    }

    internal static string ReadText(IH5Attribute attribute)
    {
        try
        {
            return attribute.Read<string>();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Encoding.UTF8.GetString(attribute.Read<byte[]>());
        }
    }

    internal static string[] ReadTexts(IH5Attribute attribute) => attribute.Read<string[]>();
}
