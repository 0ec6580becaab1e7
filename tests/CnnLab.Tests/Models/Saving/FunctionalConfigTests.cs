using System.Text.Json.Nodes;
using CnnLab.Models;

namespace CnnLab.Tests.Models.Saving;

/// <summary>A functional model's config read back, and hostile graphs refused in one line each.</summary>
public sealed class FunctionalConfigTests
{
    private static string Config(params string[] layers) =>
        "{\"class_name\": \"Functional\", \"config\": {\"name\": \"g\", \"input_shape\": [8, 8, 1], \"input_name\": \"in\", " +
        $"\"layers\": [{string.Join(", ", layers)}]}}}}";

    private static string Layer(string type, string name, params string[] inbound) =>
        $"{{\"class_name\": \"{type}\", \"config\": {{\"name\": \"{name}\"{Settings(type)}}}, " +
        $"\"inbound\": [{string.Join(", ", inbound.Select(n => $"\"{n}\""))}]}}";

    private static string Settings(string type) => type switch
    {
        "Conv2D" => ", \"filters\": 2, \"kernel_size\": 3, \"padding\": \"same\"",
        "Dense" => ", \"units\": 2, \"activation\": \"softmax\"",
        _ => "",
    };

    [Fact]
    public void A_graph_listed_out_of_order_is_built_in_an_order_where_each_layer_follows_its_inputs()
    {
        using var model = Model.FromJson(Config(Layer("Add", "sum", "a", "b"), Layer("Conv2D", "b", "a"), Layer("Conv2D", "a", "in")));

        Assert.Equal(new[] { "a", "b", "sum" }, model.Layers.Select(l => l.Name));
        Assert.Equal("in", model.InputName);
    }

    [Theory]
    [InlineData("cycle", "the model config: layer 1 of 2 in \"layers\": the layers \"a\", \"b\" take their inputs from each other in a " +
        "cycle; a model's layers must lead from the input to the output without loops.")]
    [InlineData("dangling", "the model config: layer 2 of 2 in \"layers\": layer \"b\" takes its input from \"nowhere\", which is " +
        "neither the input (\"in\") nor a layer of the model.")]
    [InlineData("unused", "the model config: layer 2 of 3 in \"layers\": layer \"spare\" does not lead to the model's output " +
        "\"out\"; a model has one output, so every layer must contribute to it.")]
    [InlineData("mismatch", "the model config: layer 3 of 3 in \"layers\": layer \"sum\" (Add) cannot take (None, 8, 8, 2) and " +
        "(None, 4, 4, 2): Layer \"sum\" (Add): inputs have incompatible shapes. Received shapes (None, 8, 8, 2) and (None, 4, 4, 2). " +
        "Every input of Add must have the same shape.")]
    [InlineData("duplicate", "the model config: layer 2 of 2 in \"layers\": the name \"a\" is used twice in the model; every layer " +
        "(and the input) needs its own name.")]
    public void A_hostile_graph_is_refused_in_one_line(string kind, string message)
    {
        var config = kind switch
        {
            "cycle" => Config(Layer("Conv2D", "a", "b"), Layer("Conv2D", "b", "a")),
            "dangling" => Config(Layer("Conv2D", "a", "in"), Layer("Conv2D", "b", "nowhere")),
            "unused" => Config(Layer("Conv2D", "a", "in"), Layer("Conv2D", "spare", "a"), Layer("Conv2D", "out", "a")),
            "mismatch" => Config(Layer("Conv2D", "a", "in"), Layer("MaxPooling2D", "p", "a"), Layer("Add", "sum", "a", "p")),
            _ => Config(Layer("Conv2D", "a", "in"), Layer("Conv2D", "a", "a")),
        };

        var e = Assert.Throws<InvalidDataException>(() => Model.FromJson(config));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Ten_thousand_branches_into_one_merge_are_refused_before_any_layer_is_made()
    {
        var branches = Enumerable.Range(0, 10_000).Select(i => $"\"in\"").ToArray();
        var config = Config(
            $"{{\"class_name\": \"Add\", \"config\": {{\"name\": \"sum\"}}, \"inbound\": [{string.Join(", ", branches)}]}}");

        var e = Assert.Throws<InvalidDataException>(() => Model.FromJson(config));

        Assert.Equal("the model config: layer 1 of 1 in \"layers\": \"inbound\" is a list of 10000 values; expected 1 to 1,000 names.",
            e.Message);
    }

    [Fact]
    public void Bounded_mutations_of_a_valid_config_are_read_or_refused_as_invalid_data_never_anything_else()
    {
        using var model = Model.FromJson(Config(Layer("Conv2D", "a", "in"), Layer("Conv2D", "b", "a"), Layer("Add", "sum", "a", "b"),
            Layer("Flatten", "f", "sum"), Layer("Dense", "out", "f")));
        var valid = model.ToJson();
        var random = new Random(27);
        for (var i = 0; i < 300; i++)
        {
            var text = valid.ToCharArray();
            for (var m = 0; m < 1 + random.Next(3); m++)
            {
                const string Replacements = "{}[]\",:0123456789abcxyz-. ";
                text[random.Next(text.Length)] = Replacements[random.Next(Replacements.Length)];
            }
            try
            {
                Model.FromJson(new string(text)).Dispose();
            }
            catch (InvalidDataException)
            {
                // Refused with a message: what a damaged config must get.
            }
        }
        var names = JsonNode.Parse(valid)!["config"]!["layers"]!.AsArray().Select(l => l!["config"]!["name"]!.GetValue<string>());
        Assert.Equal(new[] { "a", "b", "sum", "f", "out" }, names);
    }
}
