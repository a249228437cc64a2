#!/usr/bin/env bash
# What a user of the packages does, from the packages alone: packs the solution into a temp folder, checks that each
# package carries its README, licence and XML docs, installs the rae tool from that folder into a temp --tool-path,
# runs 'rae --version', 'rae devices' and a one-epoch 'rae train --csv', then builds and runs a consumer project
# (PackageReference to RecurrentAE.Model and RecurrentAE.Rendering from the folder) that trains two steps on generated
# data. Fails loudly on the first thing that is wrong. Needs no network when the dependencies are in the NuGet cache
# (~/.nuget/packages, which 'dotnet build' of the repository fills); otherwise it fetches them from nuget.org.
# Run from anywhere: scripts/pack-check.sh (CI: .ci/run runs it after the tests).
source "$(dirname "$0")/lib.sh" pack-check

version=$(dotnet msbuild src/Model/RecurrentAE.Model.csproj -getProperty:Version)
[ -n "$version" ] || fail "no Version in Directory.Build.props"
packages="$tmp/packages"
step "dotnet pack RecurrentAE.sln -c Release -o $packages (version $version)"
dotnet pack RecurrentAE.sln -c Release -o "$packages" --nologo -v quiet >"$tmp/pack.log" 2>&1 || { cat "$tmp/pack.log"; fail "dotnet pack"; }

# Exactly the four packages (tests, samples and bench are not packable), each with its README, licence and symbols.
expected="RecurrentAE.Cli RecurrentAE.Kernels RecurrentAE.Model RecurrentAE.Rendering"
found=$(cd "$packages" && ls *.nupkg | sed "s/\.$version\.nupkg\$//" | sort | xargs)
[ "$found" = "$expected" ] || fail "packed '$found', expected '$expected'"
for id in $expected; do
  nupkg="$packages/$id.$version.nupkg"
  [ -f "$packages/$id.$version.snupkg" ] || fail "$id: no symbol package (.snupkg)"
  files=$(unzip -Z1 "$nupkg")
  grep -qx "README.md" <<<"$files" || fail "$id: no README.md in the package"
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || fail "$id: no MIT licence expression"
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || fail "$id: the nuspec names no README"
  grep -q '<repository type="git"' <<<"$nuspec" || fail "$id: no repository metadata"
  if [ "$id" = RecurrentAE.Cli ]; then
    grep -q '<packageType name="DotnetTool"' <<<"$nuspec" || fail "$id: not a .NET tool package"
  else
    grep -qx "lib/net10.0/$id.dll" <<<"$files" || fail "$id: no lib/net10.0/$id.dll"
    grep -qx "lib/net10.0/$id.xml" <<<"$files" || fail "$id: no XML documentation"
  fi
  step "$id $version: README.md, MIT, repository, $( [ "$id" = RecurrentAE.Cli ] && echo "DotnetTool" || echo "lib/net10.0/$id.xml" ), .snupkg"
done

# NuGet: our packages only from the packed folder (never a cached copy of the same version), everything else from the
# local NuGet cache used as a feed, then nuget.org. A private global packages folder keeps the user's cache clean.
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
export NUGET_PACKAGES="$tmp/nuget-packages"
cat >"$tmp/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="packed" value="$packages" />
    <add key="cache" value="$cache" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="packed"><package pattern="RecurrentAE.*" /></packageSource>
    <packageSource key="cache"><package pattern="*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
EOF

# The tool package holds all it needs: it installs from the packed folder alone (no other source).
tools="$tmp/tools"
printf '<?xml version="1.0" encoding="utf-8"?>\n<configuration><packageSources><clear /></packageSources></configuration>\n' >"$tmp/tool.config"
step "dotnet tool install RecurrentAE.Cli --tool-path $tools --add-source $packages --version $version"
(cd "$tmp" && dotnet tool install RecurrentAE.Cli --tool-path "$tools" --add-source "$packages" --version "$version" \
  --configfile "$tmp/tool.config") >"$tmp/tool.log" 2>&1 || { cat "$tmp/tool.log"; fail "dotnet tool install"; }
shown=$("$tools/rae" --version) || fail "rae --version"
step "rae --version: $shown"
[ "$shown" = "$version" ] || fail "rae --version printed '$shown', expected '$version'"
step "rae devices:"
"$tools/rae" devices || fail "rae devices"

# A one-epoch run of the installed tool on a small generated csv: 40 sine series of 20-30 steps.
awk 'BEGIN { srand(3); print "label,values"; for (i = 0; i < 40; i++) { n = 20 + i % 11; p = rand() * 6.28;
  printf "s%d", i % 2; for (t = 0; t < n; t++) printf ",%.4f", sin(p + t / 3) + 0.05 * rand(); printf "\n" } }' >"$tmp/small.csv"
step "rae train --csv small.csv --epochs 1 --encoder 16,4 --decoder 16 -a cpu --threads 2"
(cd "$tmp" && "$tools/rae" train --csv small.csv --epochs 1 --encoder 16,4 --decoder 16 -a cpu --threads 2 --out run) \
  || fail "rae train"
for f in model.safetensors history.csv loss.png reconstructions.png; do
  [ -s "$tmp/run/$f" ] || fail "rae train wrote no run/$f"
done

# A consumer of the packed libraries, generated here: two training steps on generated data, then a loss plot.
consumer="$tmp/consumer"
mkdir -p "$consumer"
cp "$tmp/nuget.config" "$consumer/nuget.config"
cat >"$consumer/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="RecurrentAE.Model" Version="$version" />
    <PackageReference Include="RecurrentAE.Rendering" Version="$version" />
  </ItemGroup>
</Project>
EOF
cat >"$consumer/Program.cs" <<'EOF'
using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Model.Training;
using RecurrentAE.Rendering;

// 64 sine waves of 30 steps, one feature, values in [0, 1]: the sigmoid head with binary cross-entropy.
var random = new Random(1);
var values = new float[64 * 30];
for (int n = 0; n < 64; n++)
{
    double phase = random.NextDouble() * 2 * Math.PI;
    for (int t = 0; t < 30; t++) values[n * 30 + t] = (float)(0.5 + 0.4 * Math.Sin(phase + t / 3.0));
}
var data = new SequenceDataset(values, count: 64, steps: 30, features: 1);
SequenceDataset train = data.Take(0, 56), valid = data.Take(56, 8);

using IComputeBackend backend = BackendFactory.Create("cpu", threads: 2);
var spec = new AutoencoderSpec(Features: 1, EncoderUnits: [16, 4], DecoderUnits: [16]);
using var model = new RecurrentAutoencoder(backend, spec, seed: 42);
var losses = new List<double>();
List<EpochResult> history;
using (var trainOnDevice = model.Upload(train))
using (var validOnDevice = model.Upload(valid))
{
    var trainer = new Trainer(model, trainOnDevice, validOnDevice, new TrainingOptions(Epochs: 1, BatchSize: 28, MaxStepsPerEpoch: 2))
    {
        StepCompleted = (epoch, step, steps, loss) => { losses.Add(loss); Console.WriteLine($"step {step}/{steps}: loss {loss:F6}"); },
    };
    trainer.Run(CancellationToken.None);
    history = trainer.History;
}
if (losses.Count != 2 || losses.Any(l => !double.IsFinite(l) || l <= 0)) throw new Exception($"expected two finite losses, got [{string.Join(", ", losses)}]");
float[] codings = model.Encode(valid);
double[] errors = model.SequenceErrors(valid);
if (codings.Length != 8 * 4 || errors.Length != 8) throw new Exception("unexpected coding or error shapes");
Checkpoint.Save("model.safetensors", model);
using var loaded = Checkpoint.Load("model.safetensors").CreateModel(backend);
double[] again = loaded.SequenceErrors(valid);
if (!errors.SequenceEqual(again)) throw new Exception("the reloaded checkpoint gives other errors");
LossPlot.Write(history, "loss.png");
Console.WriteLine($"{model.ParameterCount} parameters on {backend.Description}; val_loss {history[^1].ValLoss:F6}; wrote loss.png");
EOF
step "dotnet run: a consumer project with PackageReference RecurrentAE.Model and RecurrentAE.Rendering $version"
(cd "$consumer" && dotnet run -c Release --nologo) || fail "the consumer project"
[ -s "$consumer/loss.png" ] || fail "the consumer wrote no loss.png"
step "OK: 4 packages, the tool installs and trains, the consumer trains two steps"
