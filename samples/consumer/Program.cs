// The program of docs/deploy.md, "Use CnnLab from your own project": samples/consumer/run.sh builds it outside the repository.
using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Studies.Experiments;
using static TorchSharp.torch;

var model = new Sequential(Shape.Image(28, 28, 1), seed: 1);
model.Add(new Conv2D(8, 3, padding: Padding.Same));
model.Add(new LeakyReLU());
model.Add(new MaxPooling2D(2));
model.Add(new Flatten());
model.Add(new Dense(10, activation: "softmax"));
Console.WriteLine(model.Summary());

using var images = linspace(0, 1, 2 * 28 * 28).reshape(2, 1, 28, 28);
using var probabilities = model.Predict(images);
var first = probabilities[0].data<float>().ToArray();
Console.WriteLine($"image 0: class {Array.IndexOf(first, first.Max())}, " +
    $"probabilities {string.Join(" ", first.Select(p => p.ToString("F4")))}");

// CnnLab.Studies: a study file's runs, as `cnnlab study` would train them.
var study = StudyParser.Parse("""
    name: hello
    runs:
      - {name: small, model: m2-leaky, optimizer: adam}
      - {name: small rmsprop, model: m2-leaky, optimizer: rmsprop}
    """, "hello.yaml");
Console.WriteLine($"study {study.Name}: {string.Join(", ", study.Runs.Select(r => $"{r.Name} ({r.Optimizer})"))}");
