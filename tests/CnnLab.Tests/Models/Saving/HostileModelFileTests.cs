using System.Text.Json.Nodes;
using CnnLab.Layers;
using CnnLab.Models;

namespace CnnLab.Tests.Models.Saving;

/// <summary>
/// Model files edited to lie: every one is refused with an <see cref="InvalidDataException"/> naming the file, the key
/// or tensor, the value and what is allowed, before anything the file claims is allocated.
/// </summary>
public sealed class HostileModelFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-hostile-model-").FullName;
    private readonly string _path;

    public HostileModelFileTests()
    {
        _path = Path.Combine(_folder, "model.safetensors");
        HostileFiles.SmallModel(_path);
    }

    public void Dispose() => Directory.Delete(_folder, true);

    private string LoadError() => Assert.Throws<InvalidDataException>(() => Sequential.Load(_path)).Message;

    [Fact]
    public void Layers_given_as_an_object_name_the_key_and_what_is_allowed()
    {
        HostileFiles.EditConfig(_path, c => c["config"]!["layers"] = new JsonObject { ["class_name"] = "Dense" });

        Assert.Equal($"{_path}: the model config: \"layers\" is an object; expected a list of layer configs, [{{\"class_name\": ..., " +
            $"\"config\": {{...}}}}, ...].", LoadError());
    }

    [Theory]
    [InlineData("filters", "\"four\"", "layer 1 of 3 in \"layers\" (Conv2D \"conv2d\"): \"filters\" is \"four\"; expected a whole number.")]
    [InlineData("filters", "1e12", "layer 1 of 3 in \"layers\" (Conv2D \"conv2d\"): \"filters\" is 1e12; expected a whole number.")]
    [InlineData("filters", "0", "layer 1 of 3 in \"layers\" (Conv2D \"conv2d\"): Invalid value for argument `filters`. " +
        "Expected a strictly positive value. Received filters=0.")]
    [InlineData("kernel_size", "[3]", "layer 1 of 3 in \"layers\" (Conv2D \"conv2d\"): \"kernel_size\" is [3]; " +
        "expected a whole number or a pair of whole numbers [height, width].")]
    [InlineData("padding", "\"around\"", "layer 1 of 3 in \"layers\" (Conv2D \"conv2d\"): Invalid value for argument `padding`. " +
        "Expected one of {\"valid\", \"same\"}. Received: padding=around")]
    [InlineData("use_bias", "\"yes\"", "layer 1 of 3 in \"layers\" (Conv2D \"conv2d\"): \"use_bias\" is \"yes\"; expected true or false.")]
    [InlineData("kernel_regularizer", "[1]", "layer 1 of 3 in \"layers\" (Conv2D \"conv2d\"): \"kernel_regularizer\" is [1]; " +
        "expected null or an object {\"l1\": number, \"l2\": number}.")]
    public void A_layer_setting_of_the_wrong_kind_names_the_layer_the_key_and_the_value(string key, string value, string expected)
    {
        HostileFiles.EditConfig(_path, c => c["config"]!["layers"]![0]!["config"]![key] = JsonNode.Parse(value));

        Assert.Equal($"{_path}: {expected}", LoadError());
    }

    [Fact]
    public void An_unknown_layer_class_lists_the_known_ones()
    {
        HostileFiles.EditConfig(_path, c => c["config"]!["layers"]![1]!["class_name"] = "Lambda");

        // Every registered layer, in order: a new layer joins the list without this test changing.
        Assert.StartsWith($"{_path}: layer 2 of 3 in \"layers\": \"class_name\" is \"Lambda\"; expected a layer class: Activation, " +
            $"Add, Average, AveragePooling2D, ",
            LoadError());
        Assert.Equal($"{_path}: layer 2 of 3 in \"layers\": \"class_name\" is \"Lambda\"; expected a layer class: " +
                     $"{string.Join(", ", LayerRegistry.ClassNames)}.", LoadError());
    }

    [Fact]
    public void An_input_shape_of_100000_by_100000_is_refused_with_the_limit()
    {
        HostileFiles.EditConfig(_path, c => c["config"]!["input_shape"] = new JsonArray(100_000, 100_000, 1));

        Assert.Equal($"{_path}: the model config: \"input_shape\" [100000,100000,1] is refused: Invalid value for argument `shape`. " +
                     $"(100000, 100000, 1) holds more than " +
                     "268,435,456 values per sample (1 GiB of float32), the limit. Use a smaller image size, " +
                     "fewer filters or more pooling.", LoadError());
    }

    [Theory]
    [InlineData("[28, -28, 1]")]
    [InlineData("[28, 28.5, 1]")]
    [InlineData("[]")]
    [InlineData("\"28x28\"")]
    public void An_input_shape_that_is_not_positive_whole_numbers_is_refused(string value)
    {
        HostileFiles.EditConfig(_path, c => c["config"]!["input_shape"] = JsonNode.Parse(value));

        Assert.Equal($"{_path}: the model config: \"input_shape\" is {JsonNode.Parse(value)!.ToJsonString()}; " +
            $"expected a list of positive whole numbers such as [28, 28, 1].", LoadError());
    }

    [Fact]
    public void A_config_asking_for_more_weights_than_the_file_holds_is_refused_before_they_are_allocated()
    {
        // 1,000,000 x 1 x 3 x 3 weights and biases are within the model limit but far beyond the 166 values the file's tensors hold.
        HostileFiles.EditConfig(_path, c => c["config"]!["layers"]![0]!["config"]!["filters"] = 1_000_000);

        Assert.Equal($"{_path}: layer 1 of 3 in \"layers\" (Conv2D) on input (None, 8, 8, 1) needs 10,000,000 weights, " +
                     $"which makes 10,000,000, " +
                     "but the file's tensors hold only 166 values in all; the config does not match the weights saved with it.",
                     LoadError());
    }

    [Fact]
    public void A_tensor_of_2_to_the_32_by_2_to_the_32_does_not_wrap_around_to_zero_bytes()
    {
        var (header, data) = HostileFiles.Read(_path);
        header["dense.kernel"]!["shape"] = JsonNode.Parse("[4294967296, 4294967296]");
        header["dense.kernel"]!["data_offsets"] = JsonNode.Parse("[0, 0]");
        HostileFiles.Write(_path, header.ToJsonString(), data);

        Assert.Equal($"{_path}: tensor \"dense.kernel\": \"shape\" is [4294967296,4294967296]; expected whole numbers from 0 " +
            $"to 2147483647.", LoadError());

        header["dense.kernel"]!["shape"] = JsonNode.Parse("[2147483647, 2147483647, 2147483647]");
        HostileFiles.Write(_path, header.ToJsonString(), data);

        Assert.Equal($"{_path}: tensor \"dense.kernel\" of shape (2147483647, 2147483647, 2147483647) " +
            $"F32 needs 39,614,081,201,791,936,601,413,124,092 bytes but its range holds 0.", LoadError());
    }

    [Fact]
    public void A_header_nested_100000_deep_is_refused_without_recursing()
    {
        var (header, data) = HostileFiles.Read(_path);
        var json = header.ToJsonString();
        HostileFiles.Write(_path, json[..^1] + ",\"deep\":" + new string('[', 100_000) + new string(']', 100_000) + "}", data);

        Assert.Equal($"{_path}: the safetensors header nests deeper than 32 levels (at byte {json.Length + 39}); " +
                     $"CnnLab writes at most 5. " +
                     "The file is damaged or was not written by CnnLab.", LoadError());
    }

    [Fact]
    public void A_deeply_nested_model_config_is_refused_naming_the_config()
    {
        HostileFiles.EditConfig(_path, c => c["config"]!["name"] = JsonNode.Parse(new string('[', 40) + new string(']', 40)));

        Assert.StartsWith($"{_path}: the model config nests deeper than 32 levels (at byte ", LoadError());
    }

    [Theory]
    [InlineData("{\"a\": 1, \"a\": 2}",
        "the safetensors header has the key \"a\" twice in one object (at byte 10); each key may appear once.")]
    [InlineData("{\"a\": ",
        "the safetensors header is not valid JSON (line 1, byte 7 of the line). The file is damaged or was not written by CnnLab.")]
    [InlineData("[1, 2]", "the safetensors header is [1,2]; expected a JSON object of tensors.")]
    [InlineData("{\"__metadata__\": {\"cnnlab_config\": 5}}", "the header's \"__metadata__\": \"cnnlab_config\" is 5; expected text.")]
    [InlineData("{\"x\": {\"dtype\": \"F16\", \"shape\": [], \"data_offsets\": [0, 2]}}",
        "tensor \"x\": \"dtype\" is \"F16\"; expected one of F32, F64, I64, I32, U8.")]
    [InlineData("{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}",
        "tensor \"x\": \"data_offsets\" is [4,0]; expected [begin, end], two byte offsets with begin <= end.")]
    [InlineData("{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 8]}}",
        "tensor \"x\" has byte range [0, 8] outside the 4 data bytes (truncated file?).")]
    public void Malformed_headers_name_the_file_and_the_problem(string header, string expected)
    {
        HostileFiles.Write(_path, header, new byte[4]);

        Assert.Equal($"{_path}: {expected}", LoadError());
    }

    [Fact]
    public void A_truncated_file_names_the_file()
    {
        var bytes = File.ReadAllBytes(_path);
        File.WriteAllBytes(_path, bytes[..20]);

        Assert.StartsWith($"{_path}: the header claims ", LoadError());
    }

    [Fact]
    public void A_fifo_or_a_folder_given_as_the_model_is_refused_instead_of_blocking_on_it()
    {
        var fifo = HostileFiles.Fifo(_folder);

        Assert.Equal($"{fifo}: is a named pipe (FIFO), not a regular file; expected a .safetensors file.",
            Assert.Throws<InvalidDataException>(() => Sequential.Load(fifo)).Message);
        Assert.Equal($"{_folder}: is a folder, not a regular file; expected a .safetensors file.",
            Assert.Throws<InvalidDataException>(() => Sequential.Load(_folder)).Message);
    }
}
