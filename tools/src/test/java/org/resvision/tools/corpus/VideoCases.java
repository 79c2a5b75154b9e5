package org.resvision.tools.corpus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.resvision.tools.VideoFixtures;

/** annotate-video (inputs, outputs, options, config and weights) and synth's options. */
final class VideoCases implements BadInput.Source {

    /** annotate-video with a tiny detector's config ({@code dir/det.json}; weights {@code dir/w.safetensors} only when {@code weights}). */
    static String[] annotate(Path dir, boolean weights, String... more) throws Exception {
        Path config = dir.resolve("det.json");
        Path w = dir.resolve("w.safetensors");
        if (weights) {
            VideoFixtures.detector(dir);
        } else {
            Files.writeString(config, "{\"task\": \"detection\", \"model\": \"fasterrcnn_resnet18_fpn_small\", \"num_classes\": 5}");
        }
        List<String> argv = new ArrayList<>(List.of("annotate-video", "--config", config.toString(), "--weights", w.toString()));
        argv.addAll(List.of(more));
        if (!argv.contains("--out")) {
            argv.addAll(List.of("--out", dir.resolve("out").toString()));
        }
        return argv.toArray(String[]::new);
    }

    /** annotate-video on {@code dir/in/NAME} holding {@code bytes}. */
    static String[] annotateFile(Path dir, String name, byte[] bytes) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in")).resolve(name);
        Files.write(in, bytes);
        return annotate(dir, true, in.toString());
    }

    /** annotate-video of a real clip with one more option. */
    static String[] annotateOption(Path dir, String... option) throws Exception {
        Path video = VideoFixtures.video(dir.resolve("in/a.avi"), 4);
        String[] argv = annotate(dir, false, option);
        String[] all = java.util.Arrays.copyOf(argv, argv.length + 1);
        all[argv.length] = video.toString();
        return all;
    }

    static String[] synth(Path dir, String... more) {
        List<String> argv = new ArrayList<>(List.of("synth", "--format", "coco", "--images", "2", "--video", "--out", dir.resolve("data").toString()));
        argv.addAll(List.of(more));
        return argv.toArray(String[]::new);
    }

    @Override
    public List<BadInput> cases() {
        List<BadInput> cases = new ArrayList<>(List.of(
                BadInput.error("annotate-video/missing-input", "the video's name and that there is no such file",
                        d -> annotate(d, true, d.resolve("in/none.mp4").toString()), "$DIR/in/none.mp4", "no such video file"),
                BadInput.usage("annotate-video/no-inputs", "that no videos were given", d -> annotate(d, false), "no INPUTS given"),
                BadInput.error("annotate-video/junk-named-mp4", "the file and that it is not a readable video",
                        d -> annotateFile(d, "junk.mp4", "this is not a video, just text\n".repeat(40).getBytes()), "$DIR/in/junk.mp4",
                        "not a readable video"),
                BadInput.error("annotate-video/zero-byte-video", "the file and that it is not a readable video",
                        d -> annotateFile(d, "empty.mp4", new byte[0]), "$DIR/in/empty.mp4", "not a readable video"),
                BadInput.skip("annotate-video/truncated-video",
                        "a warning naming the file and the frames it holds of those it declares; partial outputs that a re-run redoes",
                        d -> {
                            Path whole = VideoFixtures.video(d.resolve("whole/cut.avi"), 40);
                            Path cut = VideoFixtures.truncated(whole, Files.createDirectories(d.resolve("in")).resolve("cut.avi"));
                            return annotate(d, true, cut.toString());
                        }, List.of("out"), "$DIR/in/cut.avi ends early", "of the 40 frames it declares", "cut.partial.mp4"),
                BadInput.usage("annotate-video/out-is-a-file", "the path and that --out must be a folder",
                        d -> annotate(d, false, "--out", Files.writeString(d.resolve("out.txt"), "mine").toString(), d.resolve("a.mp4").toString()),
                        "$DIR/out.txt", "--out must be a folder"),
                BadInput.usage("annotate-video/stride-zero", "--stride must be at least 1, and the value given",
                        d -> annotateOption(d, "--stride", "0"), "--stride must be at least 1, got '0'"),
                BadInput.usage("annotate-video/stride-negative", "--stride must be at least 1, and the value given",
                        d -> annotateOption(d, "--stride", "-1"), "--stride must be at least 1, got '-1'"),
                BadInput.usage("annotate-video/stride-not-a-number", "--stride must be an integer, and the value given",
                        d -> annotateOption(d, "--stride", "two"), "--stride must be an integer, got 'two'"),
                BadInput.usage("annotate-video/batch-zero", "--batch must be at least 1, and the value given",
                        d -> annotateOption(d, "--batch", "0"), "--batch must be at least 1, got '0'"),
                BadInput.usage("annotate-video/bad-format", "the formats there are, and the value given",
                        d -> annotateOption(d, "--format", "xml"), "--format must be jsonl, coco or mot, got 'xml'"),
                BadInput.error("annotate-video/config-not-json", "the config file, line and column of the JSON error",
                        d -> {
                            String[] argv = annotateOption(d);
                            Files.writeString(d.resolve("det.json"), "{\"task\": detection}");
                            return argv;
                        }, "$DIR/det.json:1:"),
                BadInput.error("annotate-video/config-missing", "the config file and that there is no such file",
                        d -> {
                            String[] argv = annotateOption(d);
                            Files.delete(d.resolve("det.json"));
                            return argv;
                        }, "$DIR/det.json", "no such config file"),
                BadInput.error("annotate-video/weights-junk", "the weights file and that it is not a weights file",
                        d -> {
                            String[] argv = annotateOption(d);
                            Files.writeString(d.resolve("w.safetensors"), "not weights at all\n".repeat(20));
                            return argv;
                        }, "$DIR/w.safetensors"),
                BadInput.error("annotate-video/weights-missing", "the weights file and that there is no such file",
                        d -> annotateOption(d), "$DIR/w.safetensors", "no such file")));
        String[][] synth = {
            {"frames-negative", "--frames", "-3", "--frames must be a positive count, got '-3'"},
            {"frames-zero", "--frames", "0", "--frames must be a positive count, got '0'"},
            {"frames-not-a-number", "--frames", "many", "--frames must be an integer, got 'many'"},
            {"images-zero", "--images", "0", "--images must be a positive count, got '0'"},
            {"images-negative", "--images", "-5", "--images must be a positive count, got '-5'"},
            {"size-not-a-size", "--size", "big", "--size must be WIDTHxHEIGHT, each 32 to 8192 (e.g. 320x240), got 'big'"},
            {"size-zero", "--size", "0x0", "--size must be WIDTHxHEIGHT, each 32 to 8192 (e.g. 320x240), got '0x0'"},
            {"size-negative", "--size", "-320x240", "--size must be WIDTHxHEIGHT, each 32 to 8192 (e.g. 320x240), got '-320x240'"},
            {"size-three-numbers", "--size", "64x64x3", "--size must be WIDTHxHEIGHT, each 32 to 8192 (e.g. 320x240), got '64x64x3'"},
            {"objects-negative", "--objects", "-1,3", "--objects must be MIN,MAX counts with 0 <= MIN <= MAX <= 100 (e.g. 2,7), got '-1,3'"},
            {"objects-reversed", "--objects", "5,2", "--objects must be MIN,MAX counts with 0 <= MIN <= MAX <= 100 (e.g. 2,7), got '5,2'"},
            {"object-size-zero", "--object-size", "0,0",
                "--object-size must be MIN,MAX fractions of the short side with 0 < MIN <= MAX <= 2 (e.g. 0.12,0.45), got '0,0'"},
            {"object-size-negative", "--object-size", "-0.1,0.3",
                "--object-size must be MIN,MAX fractions of the short side with 0 < MIN <= MAX <= 2 (e.g. 0.12,0.45), got '-0.1,0.3'"},
            {"object-size-not-numbers", "--object-size", "small,big",
                "--object-size must be MIN,MAX fractions of the short side with 0 < MIN <= MAX <= 2 (e.g. 0.12,0.45), got 'small,big'"},
        };
        for (String[] c : synth) {
            cases.add(BadInput.usage("synth/" + c[0], "the option's rule and the value given", d -> synth(d, c[1], c[2]), c[3]));
        }
        return cases;
    }
}
