using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models;

namespace CnnLab.Tests.Layers;

public class LayerArgumentTests
{
    [Fact]
    public void Dense_on_an_image_without_Flatten_says_to_add_one()
    {
        var model = new Sequential(Shape.Image(7, 7, 40));

        var e = Assert.Throws<ArgumentException>(() => model.Add(new Dense(32)));

        Assert.Equal("Input 0 of layer \"dense\" is incompatible with the layer: expected ndim=2, found ndim=4. " +
                     "Full shape received: (None, 7, 7, 40). Add a `Flatten` layer before `Dense`.", e.Message);
    }

    [Fact]
    public void Unknown_activation_lists_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => new Activation("swish"));

        Assert.Equal("Could not interpret activation function identifier: swish. " +
                     "Expected one of: relu, leaky_relu, elu, gelu, tanh, sigmoid, softmax, linear.", TestSupport.KerasMessage(e));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    public void Dropout_rate_outside_0_1_is_rejected(double rate)
    {
        var e = Assert.Throws<ArgumentException>(() => new Dropout(rate));

        Assert.Equal($"Invalid value for argument `rate`. Expected a float value between 0 and 1 (1 excluded). Received: rate={rate}",
            TestSupport.KerasMessage(e));
    }

    [Fact]
    public void Dense_units_must_be_positive()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dense(0));

        Assert.Equal("Invalid value for argument `units`. Expected a strictly positive value. Received units=0.",
            TestSupport.KerasMessage(e));
    }

    [Theory]
    [InlineData("LeakyReLU", "leaky_re_lu")]
    [InlineData("MaxPooling2D", "max_pooling2d")]
    [InlineData("BatchNormalization", "batch_normalization")]
    [InlineData("Conv2D", "conv2d")]
    [InlineData("ReLU", "re_lu")]
    [InlineData("AveragePooling2D", "average_pooling2d")]
    public void Automatic_names_are_Keras_snake_case(string typeName, string expected)
    {
        Assert.Equal(expected, Layer.ToSnakeCase(typeName));
    }

    [Fact]
    public void LeakyReLU_defaults_to_TensorFlow_2s_alpha()
    {
        Assert.Equal(0.3, new LeakyReLU().Alpha);
    }

    [Fact]
    public void Activations_compute_their_functions()
    {
        using var x = TorchSharp.torch.tensor(new[] { -2f, 0f, 3f });
        float[] Apply(Layer l) => TestSupport.ToArray(l.forward(x));

        Assert.Equal(new[] { -0.6f, 0f, 3f }, Apply(new LeakyReLU()).Select(v => MathF.Round(v, 5)));
        Assert.Equal(new[] { 0f, 0f, 3f }, Apply(new ReLU()));
        Assert.Equal(new[] { 0f, 0f, 1f }, Apply(new ReLU(maxValue: 1)));
        Assert.Equal(new[] { -0.4f, 0f, 3f }, Apply(new Activation("leaky_relu")).Select(v => MathF.Round(v, 5)));
        Assert.Equal(new[] { -2f, 0f, 3f }, Apply(new Activation("linear")));
        Assert.Equal(MathF.Tanh(3f), Apply(new Activation("tanh"))[2], 5);
    }

    [Fact]
    public void Explicit_names_must_be_unique_in_a_model()
    {
        var model = new Sequential(new Shape(4));
        model.Add(new Dense(3, name: "hidden"));

        var e = Assert.Throws<ArgumentException>(() => model.Add(new Dense(3, name: "hidden")));

        Assert.Equal("All layers added to a Sequential model should have unique names. Name \"hidden\" is already the name of a layer " +
            "in this model.", e.Message);
    }

    [Fact]
    public void A_model_without_input_shape_asks_for_one()
    {
        var model = new Sequential();

        var e = Assert.Throws<InvalidOperationException>(() => model.Add(new Dense(3)));

        Assert.Equal("Model \"sequential\" has no input shape. Pass `inputShape` to the Sequential constructor or add an InputLayer first.",
            e.Message);
    }

    [Fact]
    public void InputLayer_declares_the_shape()
    {
        var model = new Sequential().Add(new InputLayer(8, 8, 3)).Add(new Conv2D(2, 2, padding: Padding.Same));

        Assert.Equal(Shape.Image(8, 8, 2), model.OutputShape);
        Assert.Equal(3 * 4 * 2 + 2, model.ParamCount);
    }
}
