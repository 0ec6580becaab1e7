using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models;
using static TorchSharp.torch;

namespace CnnLab.Tests.Layers;

/// <summary>
/// "leaky_relu" has two slopes in Keras itself: the LeakyReLU layer's default is 0.3 and the leaky_relu activation
/// function's 0.2. CnnLab keeps both, and a study template's <c>activation: leaky_relu</c> is the layer everywhere in
/// the model, the notebook's 0.3 after convolutions and hidden Dense layers alike.
/// </summary>
public class LeakyReluSlopeTests
{
    [Fact]
    public void The_layer_has_slope_0_3_and_the_activation_function_0_2_as_in_Keras()
    {
        using var input = tensor(new float[] { -1f, 2f });
        using var layer = new LeakyReLU();
        using var fromLayer = layer.forward(input);
        using var fromFunction = Activations.Get("leaky_relu")(input);

        Assert.Equal(new[] { -0.3f, 2f }, TestSupport.ToArray(fromLayer), new FloatTolerance(1e-7f));
        Assert.Equal(new[] { -0.2f, 2f }, TestSupport.ToArray(fromFunction), new FloatTolerance(1e-7f));
    }

    [Fact]
    public void A_template_with_leaky_relu_uses_the_layer_with_slope_0_3_after_every_convolution_and_hidden_dense()
    {
        using var model = new VggTemplate { Blocks = new[] { new[] { 4 } }, Dense = new[] { 8 } }.Build(Shape.Image(8, 8, 1), 2, seed: 1);

        var leaky = model.Layers.OfType<LeakyReLU>().ToList();

        Assert.Equal(2, leaky.Count);
        Assert.All(leaky, l => Assert.Equal(0.3, l.Alpha));
        Assert.DoesNotContain(model.Layers.OfType<Activation>(), a => a.Name.Contains("leaky", StringComparison.Ordinal));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
