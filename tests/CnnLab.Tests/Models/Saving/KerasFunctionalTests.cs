using CnnLab.Models;
using CnnLab.Models.Saving;

namespace CnnLab.Tests.Models.Saving;

/// <summary>Keras functional configs (model.to_json()) that CnnLab's graphs cannot be, refused in one line each.</summary>
public sealed class KerasFunctionalTests
{
    private const string In = "{'class_name': 'InputLayer', 'config': {'batch_input_shape': [null, 8, 8, 1], 'name': 'in'}, " +
        "'name': 'in', 'inbound_nodes': []}";

    private const string Sum = "{'class_name': 'Add', 'config': {'name': 'sum'}, 'name': 'sum', " +
        "'inbound_nodes': [[['a', 0, 0, {}], ['b', 0, 0, {}]]]}";

    private static string Conv(string name, string inbound) => $"{{'class_name': 'Conv2D', 'config': {{'name': '{name}', 'filters': 2, " +
        $"'kernel_size': [3, 3], 'padding': 'same'}}, 'name': '{name}', 'inbound_nodes': {inbound}}}";

    private static string Json(string layers, string inputs = "[['in', 0, 0]]", string outputs = "[['sum', 0, 0]]") =>
        ($"{{'class_name': 'Functional', 'config': {{'name': 'm', 'layers': [{layers}], 'input_layers': {inputs}, " +
         $"'output_layers': {outputs}}}, 'keras_version': '2.15.0'}}").Replace('\'', '"');

    [Fact]
    public void A_keras_2_graph_with_a_residual_add_becomes_a_functional_model()
    {
        using var model = KerasModelFile.AnyFromJson(
            Json($"{In}, {Conv("a", "[[['in', 0, 0, {}]]]")}, {Conv("b", "[[['a', 0, 0, {}]]]")}, {Sum}"), "m.json");

        var functional = Assert.IsType<Model>(model);
        Assert.Equal(new[] { "a", "b" }, functional.InboundNames[2]);
        Assert.Equal("in", functional.InputName);
    }

    [Theory]
    [InlineData("shared", "m.json: layer 3 of 4: layer \"b\" is called 2 times (a shared layer); CnnLab builds each layer once, so it " +
        "cannot import models that reuse a layer.")]
    [InlineData("second output", "m.json: layer 3 of 4: layer \"b\" takes output 1 of call 0 of layer \"a\"; CnnLab imports layers " +
        "called once with one output.")]
    [InlineData("two inputs", "m.json: the model has 2 inputs; CnnLab imports models with one input and one output.")]
    [InlineData("two outputs", "m.json: the model has 2 outputs; CnnLab imports models with one input and one output.")]
    public void What_a_cnnlab_graph_cannot_be_is_refused_in_one_line(string kind, string message)
    {
        var a = Conv("a", "[[['in', 0, 0, {}]]]");
        var json = kind switch
        {
            "shared" => Json($"{In}, {a}, {Conv("b", "[[['a', 0, 0, {}]], [['in', 0, 0, {}]]]")}, {Sum}"),
            "second output" => Json($"{In}, {a}, {Conv("b", "[[['a', 0, 1, {}]]]")}, {Sum}"),
            "two inputs" => Json($"{In}, {a}, {Conv("b", "[[['a', 0, 0, {}]]]")}, {Sum}", "[['in', 0, 0], ['a', 0, 0]]"),
            _ => Json($"{In}, {a}, {Conv("b", "[[['a', 0, 0, {}]]]")}, {Sum}", outputs: "[['sum', 0, 0], ['b', 0, 0]]"),
        };

        var e = Assert.Throws<InvalidDataException>(() => KerasModelFile.AnyFromJson(json, "m.json"));

        Assert.Equal(message, e.Message);
    }
}
