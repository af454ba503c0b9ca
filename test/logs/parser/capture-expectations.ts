// The consumption blocks of every console capture in the fixtures, read by an independent
// regex (not our parser) from the files: [kind, epochs, seconds, kWh, g CO2eq, km by car].
// A null epoch count is the CLI's "Actual consumption:"; a null CO2eq is `nan`; a null km is a
// block without "This is equivalent to:".

/** One block: a(ctual) or p(redicted), epochs, duration s, energy kWh, CO2eq g, km travelled by car. */
export type BlockRow = ["a" | "p", number | null, number, number, number | null, number | null];

/** Path (relative to the fixture folder) to the blocks it holds, in order. */
export const CAPTURE_BLOCKS: Record<string, BlockRow[]> = {
  "sample-03_stdout.txt": [
    ["a", 1, 20, 0.000263, 0.019182, 0.000159],
    ["p", 1, 20, 0.000263, null, null],
  ],
  "sample-11_stdout.txt": [
    ["a", 1, 898, 0.051023, 5.204317, 0.048412],
    ["p", 200, 179633, 10.204543, 1051.017129, 9.776904],
  ],
  "sample-13_stdout.txt": [["a", 1, 495, 0.01021, 0.418615, 0.003894]],
  "sample-15_stdout.txt": [
    ["a", 1, 42904, 4.303103, 218.651446, 2.033967],
    ["p", 5, 214521, 21.515517, 1024.948272, 9.534403],
  ],
  "sample-17_stdout.txt": [
    ["a", 1, 41101, 2.749729, 167.122448, 1.554627],
    ["p", 5, 205503, 13.748647, 631.333879, 5.872873],
  ],
  "sample-19_stdout.txt": [
    ["a", 1, 56969, 3.752667, 113.056541, 1.051689],
    ["p", 5, 284845, 18.763335, 516.33736, 4.803138],
  ],
  "sample-21_stdout.txt": [
    ["a", 1, 5922, 0.194869, 9.520723, 0.088565],
    ["p", 5, 29612, 0.974343, 42.493534, 0.395289],
  ],
  "sample-23_stdout.txt": [
    ["a", 1, 7170, 0.53086, 19.907256, 0.185184],
    ["p", 5, 35849, 2.654301, 107.277989, 0.997935],
  ],
  "sample-25_stdout.txt": [
    ["a", 1, 5056, 0.189512, 10.865354, 0.101073],
    ["p", 5, 25281, 0.94756, 50.139455, 0.466414],
  ],
  "sample-27_stdout.txt": [
    ["a", 1, 3151, 0.170745, 6.787123, 0.063136],
    ["p", 5, 15755, 0.853726, 33.062484, 0.307558],
  ],
  "sample-29_stdout.txt": [
    ["a", 1, 1361, 0.01481, 1.443971, 0.013432],
    ["p", 200, 272186, 2.961992, 315.277299, 2.932812],
  ],
  "sample-31_stdout.txt": [
    ["a", 1, 2119, 0.023113, 2.126414, 0.019781],
    ["p", 200, 423787, 4.622639, 452.843127, 4.212494],
  ],
  "sample-33_stdout.txt": [
    ["a", 1, 5860, 0.338987, 32.058499, 0.298219],
    ["p", 200, 1171909, 67.797429, 5665.096228, 52.69857],
  ],
  "sample-35_stdout.txt": [
    ["a", 1, 1878, 0.119732, 4.190629, 0.038983],
    ["p", 200, 375514, 23.946454, 838.12588, 7.79652],
  ],
  "sample-37_stdout.txt": [
    ["a", 1, 2979, 0.201474, 7.353786, 0.068407],
    ["p", 200, 595746, 40.29472, 1530.836348, 14.240338],
  ],
  "sample-39_stdout.txt": [
    ["a", 1, 10, 0.000038, 0.00313, 0.000026],
    ["p", 1000, 10342, 0.038168, 4.096665, 0.034025],
  ],
  "sample-40_stdout.txt": [
    ["a", 1, 10, 0.000041, 0.003357, 0.000028],
    ["p", 1000, 10746, 0.04094, 4.400445, 0.036549],
  ],
  "sample-41_stdout.txt": [["a", null, 24, 0.000286936393, 0.04347086359, 0.000404380126]],
  "fixture-18_expected_output_message.txt": [],
  "fixture-19_expected_output_message.txt": [["a", null, 600, 60.0, 150.0, 1.395349]],
  "fixture-20_expected_output_message.txt": [["a", 2, 600, 60.0, 150.0, 1.395349]],
  "fixture-21_expected_output_message.txt": [["p", 5, 1000, 100.0, 150.0, 1.395349]],
  "sample-43_parse_all_logs_print.txt": [],
  "generated/multi-01-three-runs-2.3/stdout-run1.txt": [
    ["p", 2, 5, 0.000201918739, 0.097122913232, 0.00090346896],
    ["a", 2, 5, 0.000201920515, 0.097123767777, 0.00090347691],
  ],
  "generated/multi-01-three-runs-2.3/stdout-run2.txt": [
    ["a", null, 3, 0.000065882108, 0.031689293964, 0.00029478413],
  ],
  "generated/multi-01-three-runs-2.3/stdout-run3.txt": [
    ["p", 4, 5, 0.000253024474, 0.12170477191, 0.001132137413],
    ["a", 1, 1, 0.000063256118, 0.030426192978, 0.000283034353],
  ],
  "generated/multi-02-four-runs-killed-orphan-2.4.3/stdout-run1.txt": [
    ["p", 3, 4, 0.000189663293, 0.084400165546, 0.000790263722],
    ["a", 3, 4, 0.000189650523, 0.084394482818, 0.000790210513],
  ],
  "generated/multi-02-four-runs-killed-orphan-2.4.3/stdout-run2.txt": [
    ["a", null, 2, 0.000092295861, 0.041071657959, 0.000384566086],
  ],
  "generated/multi-02-four-runs-killed-orphan-2.4.3/stdout-run3.txt": [
    ["p", 4, 9, 0.000403828334, 0.179703608437, 0.001682618057],
  ],
  "generated/multi-02-four-runs-killed-orphan-2.4.3/stdout-run4.txt": [
    ["p", 2, 5, 0.000100856057, 0.044880945378, 0.000420233571],
    ["a", 2, 5, 0.000100904025, 0.044902290995, 0.000420433436],
  ],
  "generated/multi-05-mixed-versions/stdout-run1.txt": [
    ["p", 2, 2, 0.000126433431, 0.060814480306, 0.000565716096],
    ["a", 2, 2, 0.00012643539, 0.060815422511, 0.000565724861],
  ],
  "generated/multi-05-mixed-versions/stdout-run2.txt": [
    ["p", 3, 7, 0.000302885604, 0.134784093979, 0.001262023352],
    ["a", 3, 7, 0.000303379677, 0.135003956477, 0.001264081989],
  ],
  "generated/multi-05-mixed-versions/stdout-run3.txt": [
    ["a", null, 2, 0.000049436748, 0.021999352696, 0.000205986448],
  ],
  "generated/run-01-api-e3-p1-m-1-stop/stdout.txt": [
    ["p", 3, 7, 0.000302873505, 0.134778709726, 0.001261972938],
    ["a", 3, 7, 0.000302865014, 0.134774931102, 0.001261937557],
  ],
  "generated/run-02-api-e3-p1-m-1-stop/stdout.txt": [
    ["p", 3, 7, 0.000302879626, 0.145685100252, 0.001355210235],
    ["a", 2, 7, 0.000302867361, 0.145679200421, 0.001355155353],
  ],
  "generated/run-04-api-e1-p0-m-1-defaults/stdout.txt": [
    ["a", null, 3, 0.000168544486, 0.075002296226, 0.000702268691],
  ],
  "generated/run-05-api-e1-p0-m-1-nostop/stdout.txt": [],
  "generated/run-06-sim-e2-p2-m3-stop/stdout.txt": [
    ["p", 2, 2, 0.0001264377, 0.060816533831, 0.000565735198],
    ["a", 1, 2, 0.0001264377, 0.060816533831, 0.000565735198],
  ],
  "generated/run-08-sim-e4-p2-m-1-verbose2-stop/stdout.txt": [
    ["p", 4, 5, 0.000252870855, 0.112527530481, 0.001053628563],
    ["a", 4, 5, 0.0002528697, 0.112527016409, 0.001053623749],
  ],
  "generated/run-10-sim-e5-p1-m3-prefix/stdout.txt": [
    ["p", 5, 6, 0.000316090295, 0.140660181415, 0.001317042897],
    ["a", 3, 4, 0.000189656651, 0.084397209633, 0.000790236045],
  ],
  "generated/run-12-sim-e5-p2-m-1-verbose0-nostop/stdout.txt": [],
  "generated/run-13-generic-cpu-e1-p1-m1/stdout.txt": [
    ["p", 1, 2, 0.000031266104, 0.013913416406, 0.000130275435],
    ["a", 1, 2, 0.000031266104, 0.013913416406, 0.000130275435],
  ],
  "generated/run-14-earlystop-after-e2/stdout.txt": [
    ["p", 5, 12, 0.000504796109, 0.224634268721, 0.002103317123],
    ["a", 1, 5, 0.000201918002, 0.089853510694, 0.000841325007],
  ],
  "generated/run-15-earlystop-mid-e3/stdout.txt": [
    ["p", 5, 12, 0.000507295722, 0.244009242467, 0.002269853418],
    ["a", 2, 5, 0.000202412043, 0.09736019255, 0.00090567621],
  ],
  "generated/run-18-cli-rapl/stdout.txt": [["a", null, 3, 0.000109819519, 0.048869686062, 0.00045758133]],
  "generated/run-19-cli-rapl/stdout.txt": [["a", null, 3, 0.000109828148, 0.052827339221, 0.000491417109]],
  "generated/run-22-simcpu-simgpu-prec3/stdout.txt": [
    ["p", 3, 4, 0.001, 0.338, 0.003],
    ["a", 3, 4, 0.001, 0.338, 0.003],
  ],
  "generated/run-23-simcpu-simgpu-dotnames-prefix/stdout.txt": [
    ["p", 2, 2, 0.000263415433, 0.126702823418, 0.001178630916],
    ["a", 1, 2, 0.00026342111, 0.126705553901, 0.001178656315],
  ],
  "generated/run-25-rapl-dram-prec6-geoDK/stdout.txt": [
    ["p", 2, 5, 0.00011, 0.015697, 0.000147],
    ["a", 2, 5, 0.000109, 0.015661, 0.000147],
  ],
  "generated/run-27-rapl-2sockets/stdout.txt": [
    ["p", 2, 5, 0.000161531495, 0.077696648864, 0.000722759524],
    ["a", 1, 5, 0.000161534563, 0.077698124952, 0.000722773255],
  ],
  "generated/run-29-short-epochs-rapl/stdout.txt": [
    ["p", 5, 2, 0.0, 0.0, 0.0],
    ["a", 5, 2, 0.000070273266, 0.031271603337, 0.000292805275],
  ],
  "generated/run-30-short-epochs-sim-nointerp/stdout.txt": [
    ["p", 6, 2, 0.000094916988, 0.045655071407, null],
    ["a", 5, 2, 0.000094907156, 0.045650342261, null],
  ],
  "generated/run-32-sigkill-mid-e2/stdout.txt": [["p", 3, 7, 0.000302876089, 0.134779859508, 0.001261983703]],
  "generated/run-34-sigterm-mid-e2/stdout.txt": [["p", 3, 7, 0.000302867645, 0.145679337158, 0.001355156625]],
  "generated/run-35-sigterm-graceful-stop/stdout.txt": [
    ["p", 4, 5, 0.00025285978, 0.112522602097, 0.001053582417],
    ["a", 2, 2, 0.000126428421, 0.056260647283, 0.000526785087],
  ],
};
