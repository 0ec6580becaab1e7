using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Optimizers;
using CnnLab.Training;
using CnnLab.Training.Augmentation;
using static TorchSharp.torch;

namespace CnnLab.Tests.Layers;

/// <summary>Augmentations keep shapes and labels, repeat under a seed, act only in training, and move pixels as defined.</summary>
public class AugmentationTests
{
    private static Tensor Images(long n = 6, long channels = 1, long size = 8) =>
        rand(new[] { n, channels, size, size }, generator: new Generator(5));

    public static TheoryData<string> Names => new() { "flip", "translation", "rotation", "zoom", "erasing" };

    private static ImageAugmentation Create(string name) => name switch
    {
        "flip" => new RandomFlip("horizontal"),
        "translation" => new RandomTranslation(0.2, 0.2),
        "rotation" => new RandomRotation(0.05),
        "zoom" => new RandomZoom(0.2),
        _ => new RandomErasing(probability: 1),
    };

    private static Tensor Apply(ImageAugmentation layer, Tensor x, long seed)
    {
        layer.SeedRandom(seed);
        layer.train();
        return layer.forward(x);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Keeps_the_shape_repeats_under_a_seed_varies_across_seeds_and_is_the_identity_in_inference(string name)
    {
        using var layer = Create(name);
        layer.Build(Shape.Image(8, 8, 3));
        using var x = Images(channels: 3);

        using var first = Apply(layer, x, 1);
        using var again = Apply(layer, x, 1);
        using var other = Apply(layer, x, 2);
        layer.eval();
        using var inferred = layer.forward(x);

        Assert.Equal(x.shape, first.shape);
        Assert.Equal(TestSupport.ToArray(first), TestSupport.ToArray(again));
        Assert.NotEqual(TestSupport.ToArray(first), TestSupport.ToArray(other));
        Assert.NotEqual(TestSupport.ToArray(x), TestSupport.ToArray(first));
        Assert.Equal(TestSupport.ToArray(x), TestSupport.ToArray(inferred));
    }

    [Fact]
    public void RandomFlip_gives_each_image_either_itself_or_its_mirror()
    {
        using var layer = new RandomFlip("horizontal");
        using var x = Images(n: 32);
        using var y = Apply(layer, x, 3);
        using var mirrored = x.flip(3);
        var flipped = 0;
        for (var i = 0; i < 32; i++)
        {
            var same = allclose(y[i], x[i], rtol: 0, atol: 0);
            var mirror = allclose(y[i], mirrored[i], rtol: 0, atol: 0);
            Assert.True(same || mirror, $"image {i} is neither");
            flipped += mirror ? 1 : 0;
        }
        Assert.InRange(flipped, 8, 24);
    }

    [Fact]
    public void RandomTranslation_with_a_fixed_factor_shifts_right_and_down_by_that_fraction()
    {
        using var layer = new RandomTranslation((0.25, 0.25), (0.25, 0.25), fillMode: "constant");
        using var x = Images(n: 2);
        using var y = Apply(layer, x, 1);

        // A quarter of 8 pixels: content moves 2 down and 2 right, zeros come in.
        using var moved = y.narrow(2, 2, 6).narrow(3, 2, 6);
        using var source = x.narrow(2, 0, 6).narrow(3, 0, 6);
        Assert.True(allclose(moved, source, atol: 1e-5));
        Assert.Equal(0f, y.narrow(2, 0, 2).abs().max().item<float>());
        Assert.Equal(0f, y.narrow(3, 0, 2).abs().max().item<float>());
    }

    [Fact]
    public void RandomRotation_by_a_quarter_turn_is_a_90_degree_rotation()
    {
        using var layer = new RandomRotation((0.25, 0.25));
        using var x = Images(n: 2);
        using var y = Apply(layer, x, 1);
        using var clockwise = x.rot90(-1, (2, 3));
        using var counterClockwise = x.rot90(1, (2, 3));
        Assert.True(allclose(y, clockwise, atol: 1e-5) || allclose(y, counterClockwise, atol: 1e-5));
    }

    [Fact]
    public void RandomErasing_replaces_one_rectangle_per_image_and_leaves_the_rest()
    {
        using var layer = new RandomErasing(probability: 1, scale: (0.1, 0.2), value: -1);
        using var x = Images(n: 16, size: 20);
        using var y = Apply(layer, x, 4);
        for (var i = 0; i < 16; i++)
        {
            using var erased = y[i][0].eq(-1);
            var count = erased.sum().item<long>();
            using var rows = erased.any(1).nonzero();
            using var columns = erased.any(0).nonzero();
            Assert.Equal(rows.shape[0] * columns.shape[0], count); // a rectangle
            Assert.InRange(count, 20, 120); // about 10% to 20% of 400 pixels, after rounding the sides
            using var kept = erased.logical_not();
            Assert.True(allclose(y[i][0].masked_select(kept), x[i][0].masked_select(kept), rtol: 0, atol: 0));
        }
    }

    [Fact]
    public void Mixup_mixes_images_and_keeps_both_label_sets_in_proportion()
    {
        using var mix = new Mixup(0.4);
        mix.Seed(1);
        using var x = Images(n: 10);
        using var y = arange(10L);
        var batch = mix.Mix(x, y);

        Assert.InRange(batch.Lambda, 0, 1);
        Assert.Equal(TestSupport.ToArray(y.to(ScalarType.Float32)), TestSupport.ToArray(batch.Labels.to(ScalarType.Float32)));
        var partners = batch.PartnerLabels.data<long>().ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), partners.Order());
        using var partnerImages = x.index_select(0, batch.PartnerLabels);
        using var expected = x * batch.Lambda + partnerImages * (1 - batch.Lambda);
        Assert.True(allclose(batch.Images, expected, atol: 1e-6));
    }

    [Fact]
    public void CutMix_pastes_a_partner_rectangle_whose_area_is_one_minus_lambda()
    {
        using var mix = new CutMix();
        mix.Seed(3);
        using var x = Images(n: 8, size: 16);
        using var y = arange(8L);
        var batch = mix.Mix(x, y);

        using var partnerImages = x.index_select(0, batch.PartnerLabels);
        using var fromPartner = batch.Images.eq(partnerImages).logical_and(batch.Images.ne(x));
        var partners = batch.PartnerLabels.data<long>().ToArray();
        Assert.True(partners.Where((p, i) => p != i).Any(), $"partners {string.Join(",", partners)}");
        var other = Enumerable.Range(0, 8).First(i => partners[i] != i);
        var share = fromPartner[other].to(ScalarType.Float32).mean().item<float>();
        Assert.Equal(1 - batch.Lambda, share, 2);
        using var fromEither = batch.Images.eq(x).logical_or(batch.Images.eq(partnerImages));
        Assert.True(fromEither.all().item<bool>());
    }

    [Fact]
    public void Augmentation_in_Fit_is_seeded_and_a_layer_that_changes_the_shape_is_refused()
    {
        var (x, y) = TestSupport.Bars(64, seed: 2);
        History Train()
        {
            using var model = TestSupport.SmallCnn(seed: 1);
            model.Compile(new Adam());
            return model.Fit(x, y, new FitOptions
            {
                BatchSize = 16, Epochs = 2, Seed = 3, Verbose = 0,
                Augmentation = new Layer[] { new RandomFlip("horizontal"), new RandomTranslation(0.1, 0.1) },
                BatchMix = new Mixup(),
            });
        }
        Assert.Equal(Train().Loss, Train().Loss);

        using var bad = TestSupport.SmallCnn(seed: 1);
        bad.Compile(new Adam());
        var e = Assert.Throws<ArgumentException>(() =>
            bad.Fit(x, y, new FitOptions { Verbose = 0, Augmentation = new Layer[] { new MaxPooling2D(2) } }));
        Assert.Equal(
            "Augmentation layer \"max_pooling2d\" (MaxPooling2D) maps (None, 12, 12, 1) to (None, 6, 6, 1), but augmentation must keep " +
            "the model's input shape (None, 12, 12, 1). " +
            "Use RandomFlip, RandomTranslation, RandomRotation or RandomErasing, or put other layers in the model.",
            TestSupport.KerasMessage(e));
    }

    [Fact]
    public void Invalid_augmentation_settings_name_the_argument_the_value_and_the_range()
    {
        Assert.Equal("Invalid value for argument `heightFactor`. Expected a range (lower, upper) with -1 <= lower <= upper <= 1. " +
            "Received: heightFactor=(-1.5, 1.5)",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => new RandomTranslation(1.5, 0.1))));
        Assert.Equal("Invalid value for argument `mode`. Expected one of: horizontal, vertical, horizontal_and_vertical. Received: " +
            "mode=diagonal",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => new RandomFlip("diagonal"))));
        Assert.Equal("Invalid value for argument `fillMode`. Expected one of: reflect, constant, nearest. Received: fillMode=wrap",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => new RandomRotation(0.1, "wrap"))));
        Assert.Equal("Invalid value for argument `scale`. Expected (lower, upper) with 0 < lower <= upper <= 1. Received: scale=(0.5, 1.5)",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => new RandomErasing(scale: (0.5, 1.5)))));
        Assert.Equal("Invalid value for argument `alpha`. Expected a finite value > 0. Received: alpha=0",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => new Mixup(0))));
        var flat = new RandomFlip();
        Assert.StartsWith("Input 0 of layer \"random_flip\" is incompatible with the layer: expected ndim=4, found ndim=2.",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => flat.Build(new Shape(10)))));
    }
}
