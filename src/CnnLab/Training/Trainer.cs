using System.Diagnostics;
using CnnLab.Engine;
using CnnLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>
/// The training loop behind <see cref="Sequential.Fit(Tensor, Tensor, FitOptions)"/>. Data stays in one
/// tensor; each batch is gathered by index from a per-epoch permutation, and every step runs inside its own
/// dispose scope so native memory is released at once rather than when the garbage collector runs.
/// </summary>
internal sealed class Trainer
{
    private readonly Sequential _model;
    private readonly FitOptions _options;

    public Trainer(Sequential model, FitOptions options)
    {
        _model = model;
        _options = options;
    }

    public History Fit(Tensor x, Tensor y)
    {
        Validate(x, y);
        var seed = _options.Seed ?? Random.Shared.NextInt64();
        // Layers that draw random numbers get generators of their own, derived from the seed.
        var randomLayers = _model.Layers.Concat(_options.Augmentation).ToList();
        for (var i = 0; i < randomLayers.Count; i++)
        {
            randomLayers[i].SeedRandom(unchecked(seed * 1_000_003 + i + 1));
        }
        _options.BatchMix?.Seed(unchecked(seed * 1_000_003 - 1));
        using var shuffleGenerator = new Generator(unchecked((ulong)seed), CPU);
        var generators = new List<Generator?> { shuffleGenerator };
        generators.AddRange(randomLayers.Select(l => l.RandomGenerator));
        generators.Add(_options.BatchMix?.Generator);

        var configuration = _model.Optimizer!;
        using var optimizer = configuration.Create(_model.parameters());
        using var data = NewDisposeScope();
        var (trainX, trainY, valX, valY) = Split(x, y);
        if (valY is not null && ClassCoverage.Warning(trainY, valY, _model.OutputShape!.Channels, _model.ClassNames,
                _options.ValidationData is null ? _options.ValidationSplit : null) is { } warning)
        {
            (_options.Warnings ?? Console.Error).WriteLine(warning);
        }
        var trainCount = (int)trainX.shape[0];
        var callbacks = new List<Callback>();
        if (_options.Verbose > 0)
        {
            callbacks.Add(ProgressLogger.ForConsole());
        }
        callbacks.AddRange(_options.Callbacks);
        var context = new TrainingContext(_model, _options.Epochs, trainCount, _options.BatchSize, valX is null ? 0 : (int)valX.shape[0],
            configuration.LearningRate);
        var history = new History();
        var checkpoint = _options.CheckpointFolder is { } folder ? new EpochCheckpoint(folder) : null;
        try
        {
            callbacks.ForEach(c => c.OnTrainBegin(context));
            var firstEpoch = checkpoint?.Restore(_model, optimizer, generators, history, context, _options.Callbacks) ?? 0;
            context.InitialEpoch = firstEpoch;
            context.Step = (long)firstEpoch * context.BatchesPerEpoch;
            for (var epoch = firstEpoch; epoch < _options.Epochs && !context.StopTraining; epoch++)
            {
                var clock = Stopwatch.StartNew();
                callbacks.ForEach(c => c.OnEpochBegin(context, epoch));
                var logs = TrainEpoch(trainX, trainY, optimizer, shuffleGenerator, context, callbacks);
                if (valX is not null)
                {
                    var validation = Evaluate(_model, valX, valY!, _options.BatchSize);
                    logs["val_loss"] = validation.Loss;
                    logs["val_accuracy"] = validation.Accuracy;
                }
                if (context.LogLearningRate)
                {
                    logs["learning_rate"] = context.LearningRate;
                }
                var seconds = clock.Elapsed.TotalSeconds;
                callbacks.ForEach(c => c.OnEpochEnd(context, epoch, logs));
                history.Append(logs, seconds);
                checkpoint?.Save(epoch + 1, _model, optimizer, generators, history, context, _options.Callbacks);
            }
            callbacks.ForEach(c => c.OnTrainEnd(context));
        }
        finally
        {
            _model.eval();
        }
        return history;
    }

    public static Evaluation Evaluate(Sequential model, Tensor x, Tensor y, int batchSize,
        TestTimeAugmentation augmentation = TestTimeAugmentation.None)
    {
        var count = (int)x.shape[0];
        double lossSum = 0;
        long correct = 0;
        model.eval();
        using (inference_mode())
        {
            for (var start = 0; start < count; start += batchSize)
            {
                ThreadGovernor.Tick();
                using var scope = NewDisposeScope();
                var length = Math.Min(batchSize, count - start);
                var xb = x.narrow(0, start, length).to(model.Device);
                var yb = y.narrow(0, start, length).to(model.Device);
                var (loss, hits) = augmentation == TestTimeAugmentation.None ? LossAndHits(model, xb, yb) : AugmentedLossAndHits(model, xb, yb, augmentation);
                lossSum += loss.item<float>() * length;
                correct += hits.item<long>();
            }
        }
        return count == 0 ? new Evaluation(double.NaN, double.NaN, 0) : new Evaluation(lossSum / count, (double)correct / count, count);
    }

    public static Tensor Predict(Sequential model, Tensor x, int batchSize, TestTimeAugmentation augmentation = TestTimeAugmentation.None)
    {
        var count = (int)x.shape[0];
        model.eval();
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>();
        for (var start = 0; start < count; start += batchSize)
        {
            ThreadGovernor.Tick();
            var length = Math.Min(batchSize, count - start);
            outputs.Add(Outputs(model, x.narrow(0, start, length).to(model.Device), augmentation).cpu());
        }
        var result = outputs.Count == 0 ? empty(model.OutputShape!.ToTensorShape(0)) : cat(outputs, 0);
        return result.MoveToOuterDisposeScope();
    }

    private Dictionary<string, double> TrainEpoch(Tensor x, Tensor y, optim.Optimizer optimizer, Generator generator,
        TrainingContext context, List<Callback> callbacks)
    {
        var count = (int)x.shape[0];
        var batchSize = _options.BatchSize;
        _model.train();
        foreach (var layer in _options.Augmentation)
        {
            layer.train();
        }
        using var order = _options.Shuffle ? randperm(count, generator: generator) : arange(count, dtype: ScalarType.Int64);
        double lossSum = 0;
        long correct = 0;
        var seen = 0;
        var batchLogs = new Dictionary<string, double>();
        var trainable = _model.parameters().Where(p => p.requires_grad).ToList();
        for (var batch = 0; batch * batchSize < count && !context.StopTraining; batch++)
        {
            callbacks.ForEach(c => c.OnBatchBegin(context, batch));
            ThreadGovernor.Tick();
            SetLearningRate(optimizer, context.LearningRate);
            var length = Math.Min(batchSize, count - batch * batchSize);
            using (var scope = NewDisposeScope())
            {
                var index = order.narrow(0, batch * batchSize, length);
                var xb = Augment(x.index_select(0, index).to(_model.Device));
                var yb = y.index_select(0, index).to(_model.Device);
                optimizer.zero_grad();
                var (loss, hits) = _options.BatchMix is { } mix ? MixedLossAndHits(mix.Mix(xb, yb)) : LossAndHits(_model, xb, yb);
                loss.backward();
                _model.Optimizer!.ClipGradients(trainable);
                ApplyWeightDecay(trainable, context.LearningRate);
                optimizer.step();
                lossSum += loss.item<float>() * length;
                correct += hits.item<long>();
            }
            seen += length;
            context.Step++;
            batchLogs["loss"] = lossSum / seen;
            batchLogs["accuracy"] = (double)correct / seen;
            batchLogs["samples"] = seen;
            callbacks.ForEach(c => c.OnBatchEnd(context, batch, batchLogs));
        }
        return new Dictionary<string, double> { ["loss"] = lossSum / Math.Max(seen, 1), ["accuracy"] = (double)correct / Math.Max(seen, 1) };
    }

    private Tensor Augment(Tensor images)
    {
        foreach (var layer in _options.Augmentation)
        {
            images = layer.forward(images);
        }
        return images;
    }

    private static void SetLearningRate(optim.Optimizer optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }
    }

    /// <summary>Decoupled weight decay, before the optimizer's step as Keras 3 orders it: w -= lr * wd * w.</summary>
    private void ApplyWeightDecay(IReadOnlyList<TorchSharp.Modules.Parameter> trainable, double learningRate)
    {
        var decay = _model.Optimizer!.WeightDecay;
        if (decay == 0)
        {
            return;
        }
        using var _ = no_grad();
        foreach (var weight in trainable)
        {
            weight.mul_(1 - learningRate * decay);
        }
    }

    private (Tensor Loss, Tensor Hits) MixedLossAndHits(Augmentation.MixedBatch batch)
    {
        var scores = Scores(_model, batch.Images);
        using var first = Loss(_model, scores, batch.Labels);
        using var second = Loss(_model, scores, batch.PartnerLabels);
        using var weightedFirst = first.mul(batch.Lambda);
        using var weightedSecond = second.mul(1 - batch.Lambda);
        var loss = Penalized(_model, weightedFirst.add(weightedSecond));
        // A mixed image counts as right when the prediction is its larger share's label (Keras: argmax of the soft label).
        return (loss, Hits(scores, batch.Lambda >= 0.5 ? batch.Labels : batch.PartnerLabels));
    }

    /// <summary>The loss (with label smoothing and the regularization penalty, as Keras reports it) and the number of correct predictions.</summary>
    private static (Tensor Loss, Tensor Hits) LossAndHits(Sequential model, Tensor x, Tensor y)
    {
        var scores = Scores(model, x);
        return (Penalized(model, Loss(model, scores, y)), Hits(scores, y));
    }

    /// <summary>The model's outputs for a batch, averaged over the test-time augmentation's copies of it.</summary>
    private static Tensor Outputs(Sequential model, Tensor x, TestTimeAugmentation augmentation)
    {
        if (augmentation == TestTimeAugmentation.None)
        {
            return model.forward(x);
        }
        using var mirrored = x.flip(3);
        using var first = model.forward(x);
        using var second = model.forward(mirrored);
        return first.add(second).div_(2);
    }

    /// <summary>Loss and hits of the averaged outputs: the mean is taken over probabilities, so the loss is computed from them.</summary>
    private static (Tensor Loss, Tensor Hits) AugmentedLossAndHits(Sequential model, Tensor x, Tensor y, TestTimeAugmentation augmentation)
    {
        using var outputs = Outputs(model, x, augmentation);
        var loss = model.OneHotLabels
            ? CategoricalCrossentropy.FromProbabilities(outputs, y, model.LabelSmoothing)
            : SparseCategoricalCrossentropy.FromProbabilities(outputs, y, model.LabelSmoothing);
        return (Penalized(model, loss), Hits(outputs, y));
    }

    /// <summary>Logits when the model ends in a softmax (the loss is computed from them, as Keras does), else the outputs.</summary>
    private static Tensor Scores(Sequential model, Tensor x) => model.EndsWithSoftmax ? model.ForwardLogits(x) : model.forward(x);

    private static Tensor Loss(Sequential model, Tensor scores, Tensor y) => (model.OneHotLabels, model.EndsWithSoftmax) switch
    {
        (false, true) => SparseCategoricalCrossentropy.FromLogits(scores, y, model.LabelSmoothing),
        (false, false) => SparseCategoricalCrossentropy.FromProbabilities(scores, y, model.LabelSmoothing),
        (true, true) => CategoricalCrossentropy.FromLogits(scores, y, model.LabelSmoothing),
        (true, false) => CategoricalCrossentropy.FromProbabilities(scores, y, model.LabelSmoothing),
    };

    private static Tensor Penalized(Sequential model, Tensor loss)
    {
        using var penalty = model.RegularizationLoss();
        if (penalty is null)
        {
            return loss;
        }
        using (loss)
        {
            return loss.add(penalty);
        }
    }

    private static Tensor Hits(Tensor scores, Tensor y)
    {
        using var predicted = scores.argmax(1);
        // One-hot (or soft) labels count as right when the prediction is their largest entry, Keras' categorical_accuracy.
        using var labels = y.dim() == 2 ? y.argmax(1) : y.alias();
        using var equal = predicted.eq(labels);
        return equal.sum();
    }

    private void Validate(Tensor x, Tensor y)
    {
        DataChecks.RequireBatchSize(_options.BatchSize);
        DataChecks.RequireActivationsFit(_model, _options.BatchSize);
        if (_options.Epochs < 0)
        {
            throw new ArgumentException($"Invalid value for argument `epochs`. Expected a value >= 0. Received: epochs={_options.Epochs}", "epochs");
        }
        if (!(_options.ValidationSplit >= 0 && _options.ValidationSplit < 1))
        {
            throw new ArgumentException(
                $"Invalid value for argument `validationSplit`. Expected a float in [0, 1). Received: validationSplit={_options.ValidationSplit}",
                "validationSplit");
        }
        DataChecks.RequireSamples(_model, x, y, "x", "y");
        if (_options.ValidationData is { } v)
        {
            DataChecks.RequireSamples(_model, v.X, v.Y, "validationData.X", "validationData.Y");
        }
        foreach (var layer in _options.Augmentation)
        {
            var input = _model.InputShape!;
            if (!layer.IsBuilt)
            {
                layer.Build(input);
            }
            if (!Equals(layer.InputShape, input) || !Equals(layer.OutputShape, input))
            {
                throw new ArgumentException(
                    $"Augmentation layer \"{layer.Name}\" ({layer.TypeName}) maps {layer.InputShape} to {layer.OutputShape}, but augmentation must keep " +
                    $"the model's input shape {input}. Use RandomFlip, RandomTranslation, RandomRotation or RandomErasing, or put other layers in the model.",
                    "Augmentation");
            }
        }
        var trainCount = x.shape[0] - (_options.ValidationData is null ? (long)Math.Floor(x.shape[0] * _options.ValidationSplit) : 0);
        if (trainCount == 0 && x.shape[0] > 0)
        {
            throw new ArgumentException(
                $"validationSplit={_options.ValidationSplit} leaves no training samples out of {x.shape[0]}. Use a smaller split or more data.",
                "validationSplit");
        }
    }

    /// <summary>Keras' rule: validation is the LAST fraction of the samples, cut before shuffling.</summary>
    private (Tensor TrainX, Tensor TrainY, Tensor? ValX, Tensor? ValY) Split(Tensor x, Tensor y)
    {
        if (_options.ValidationData is { } given)
        {
            return (x, y, given.X, given.Y);
        }
        if (_options.ValidationSplit == 0)
        {
            return (x, y, null, null);
        }
        var count = x.shape[0];
        var splitAt = (long)Math.Floor(count * (1.0 - _options.ValidationSplit));
        return (x.narrow(0, 0, splitAt), y.narrow(0, 0, splitAt), x.narrow(0, splitAt, count - splitAt), y.narrow(0, splitAt, count - splitAt));
    }
}
