using System.IO.Compression;
using System.Text;
using CnnLab.Formats;
using static TorchSharp.torch;

namespace CnnLab.Formats.PyTorch;

/// <summary>
/// Writes a PyTorch <c>state_dict</c> file (.pt) as <c>torch.save</c> does since PyTorch 1.6: a zip archive with the
/// pickled <c>OrderedDict</c> of tensors in <c>archive/data.pkl</c>, each tensor's bytes in <c>archive/data/N</c>, and
/// <c>archive/version</c>. The pickle names only what <c>torch.load(..., weights_only=True)</c> allows (OrderedDict,
/// _rebuild_tensor_v2 and typed storages), so a reader never has to trust it to execute anything else.
/// </summary>
public static class TorchStateDict
{
    private const string Root = "archive";

    private static readonly Dictionary<ScalarType, string> Storages = new()
    {
        [ScalarType.Float32] = "FloatStorage",
        [ScalarType.Float64] = "DoubleStorage",
        [ScalarType.Int64] = "LongStorage",
        [ScalarType.Int32] = "IntStorage",
        [ScalarType.Byte] = "ByteStorage",
    };

    /// <summary>Writes the tensors, in order, as a state_dict to <paramref name="path"/>, atomically.</summary>
    public static void Save(string path, IReadOnlyList<KeyValuePair<string, Tensor>> tensors)
    {
        AtomicFile.Write(path, file =>
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
            Write(zip, "data.pkl", Pickle(tensors));
            for (var i = 0; i < tensors.Count; i++)
            {
                using var contiguous = tensors[i].Value.detach().cpu().contiguous();
                Write(zip, $"data/{i}", contiguous.bytes.ToArray());
            }
            Write(zip, "version", Encoding.ASCII.GetBytes("3\n"));
        });
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        // Stored, not deflated: PyTorch reads tensor data in place from the archive.
        using var stream = zip.CreateEntry($"{Root}/{name}", CompressionLevel.NoCompression).Open();
        stream.Write(bytes);
    }

    /// <summary>
    /// Pickle protocol 2 of OrderedDict([(name, _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict()))]),
    /// where each storage is a persistent id ('storage', torch.XStorage, key, 'cpu', numel) that torch.load resolves
    /// to the archive entry data/key.
    /// </summary>
    private static byte[] Pickle(IReadOnlyList<KeyValuePair<string, Tensor>> tensors)
    {
        var p = new PickleWriter();
        p.Op(0x80).Op(2); // PROTO 2
        p.Global("collections", "OrderedDict").Op(')').Op('R'); // OrderedDict()
        p.Op('('); // MARK for SETITEMS
        for (var i = 0; i < tensors.Count; i++)
        {
            var (name, tensor) = tensors[i];
            if (!Storages.TryGetValue(tensor.dtype, out var storage))
            {
                throw new ArgumentException($"Tensor \"{name}\" has dtype {tensor.dtype}; " +
                    $"a state_dict here holds {string.Join(", ", Storages.Keys)}.", nameof(tensors));
            }
            p.String(name);
            p.Global("torch._utils", "_rebuild_tensor_v2");
            p.Op('('); // MARK: the arguments
            p.Op('(').String("storage").Global("torch", storage).String(i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .String("cpu").Int(tensor.numel()).Op('t').Op('Q'); // persistent id tuple, BINPERSID
            p.Int(0); // storage offset
            p.Tuple(tensor.shape);
            p.Tuple(ContiguousStrides(tensor.shape));
            p.Op(0x89); // NEWFALSE: requires_grad
            p.Global("collections", "OrderedDict").Op(')').Op('R'); // backward hooks
            p.Op('t').Op('R'); // TUPLE, REDUCE
        }
        p.Op('u').Op('.'); // SETITEMS, STOP
        return p.ToArray();
    }

    private static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }
        return strides;
    }

    /// <summary>The few pickle opcodes a state_dict needs.</summary>
    private sealed class PickleWriter
    {
        private readonly MemoryStream _bytes = new();

        public PickleWriter Op(int code)
        {
            _bytes.WriteByte((byte)code);
            return this;
        }

        public PickleWriter Global(string module, string name)
        {
            Op('c');
            var text = Encoding.ASCII.GetBytes($"{module}\n{name}\n");
            _bytes.Write(text);
            return this;
        }

        public PickleWriter String(string value)
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            Op('X');
            _bytes.Write(BitConverter.GetBytes((uint)utf8.Length).AsSpan()); // little-endian on every platform .NET runs on here
            _bytes.Write(utf8);
            return this;
        }

        public PickleWriter Int(long value)
        {
            if (value is < int.MinValue or > int.MaxValue)
            {
                // LONG1: a little-endian two's-complement integer of 8 bytes.
                Op(0x8A).Op(8);
                _bytes.Write(BitConverter.GetBytes(value));
                return this;
            }
            Op('J');
            _bytes.Write(BitConverter.GetBytes((int)value));
            return this;
        }

        public PickleWriter Tuple(IEnumerable<long> values)
        {
            Op('(');
            foreach (var v in values)
            {
                Int(v);
            }
            return Op('t');
        }

        public byte[] ToArray() => _bytes.ToArray();
    }
}
