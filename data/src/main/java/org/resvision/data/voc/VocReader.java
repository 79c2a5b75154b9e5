package org.resvision.data.voc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Reads the PASCAL VOC layout: {@code ImageSets/Main/<split>.txt} and {@code Annotations/*.xml}.
 * Problems with a file are {@link VocFormatException}s naming it. Stateless; safe to call from several
 * threads at once.
 */
public final class VocReader {

    /** The 20 VOC classes, in the devkit's order (training labels 1..20; 0 is background). */
    public static final List<String> VOC_CLASSES = List.of(
            "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
            "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor");

    private VocReader() {}

    /**
     * The class names of {@code root/labels.txt} (one per line, as {@code resvision synth --format
     * voc} writes it), or null when the folder has none.
     *
     * @param root the dataset folder
     * @return the names in file order (blank lines skipped, surrounding white space removed), or
     *     {@code null} when there is no {@code labels.txt}
     * @throws VocFormatException when a name is listed twice, none is listed or the file is not UTF-8
     * @throws IOException when reading fails otherwise
     */
    public static List<String> labels(Path root) throws IOException {
        Path f = root.resolve("labels.txt");
        if (!Files.isRegularFile(f)) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (String line : lines(f)) {
            String name = line.strip();
            if (name.isEmpty()) {
                continue;
            }
            if (names.contains(name)) {
                throw new VocFormatException(f, "class '" + name + "' is listed twice");
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new VocFormatException(f, "lists no class");
        }
        return names;
    }

    /**
     * The image ids of a split ({@code ImageSets/Main/<split>.txt}, one id per line).
     *
     * @param root the dataset folder
     * @param split the split's name ({@code train}, {@code val}, {@code trainval}, ...)
     * @return the ids in file order: each line's first word (so the per-class lists' {@code "<id> -1"}
     *     lines work too), blank lines skipped
     * @throws VocFormatException when the split file is missing or not UTF-8
     * @throws IOException when reading fails otherwise
     */
    public static List<String> split(Path root, String split) throws IOException {
        Path f = root.resolve("ImageSets/Main/" + split + ".txt");
        try {
            List<String> ids = new ArrayList<>();
            for (String line : lines(f)) {
                String id = line.trim();
                if (!id.isEmpty()) {
                    ids.add(id.split("\\s+")[0]);
                }
            }
            return ids;
        } catch (NoSuchFileException e) {
            throw new VocFormatException(f, "no such split file (is " + root + " a VOC folder?)");
        }
    }

    /**
     * Reads {@code Annotations/<imageId>.xml}.
     *
     * @param root the dataset folder
     * @param imageId the image's id (file stem)
     * @return the annotation, as {@link #read}
     * @throws VocFormatException as {@link #read}
     * @throws IOException when reading fails otherwise
     */
    public static VocAnnotation annotation(Path root, String imageId) throws IOException {
        return read(root.resolve("Annotations/" + imageId + ".xml"), imageId);
    }

    /**
     * Reads one annotation file; a missing field is an error naming the file and the object.
     * Required: each object's {@code <name>} and {@code <bndbox>} with four numbers, {@code xmax >= xmin}
     * and {@code ymax >= ymin}; {@code <size>}, when present, must hold numeric {@code <width>} and
     * {@code <height>}. DOCTYPE declarations are refused (no external entities are read).
     *
     * @param xml the annotation file
     * @param imageId the id to record in the result (not checked against the file)
     * @return the annotation, boxes as written (1-based, inclusive)
     * @throws VocFormatException when the file is missing, not well-formed XML, or lacks a required field
     * @throws IOException when reading fails otherwise
     */
    public static VocAnnotation read(Path xml, String imageId) throws IOException {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler()); // errors become exceptions, not stderr noise
            doc = b.parse(xml.toFile());
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            throw new VocFormatException(xml, "no such annotation file");
        } catch (SAXException e) {
            throw new VocFormatException(xml, "malformed XML: " + e.getMessage());
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        Element root = doc.getDocumentElement();
        String fileName = text(root, "filename", xml, "annotation", false);
        Element size = child(root, "size");
        int w = size == null ? -1 : (int) number(size, "width", xml, "size");
        int h = size == null ? -1 : (int) number(size, "height", xml, "size");
        List<VocObject> objects = new ArrayList<>();
        NodeList list = root.getElementsByTagName("object");
        for (int i = 0; i < list.getLength(); i++) {
            Element o = (Element) list.item(i);
            String where = "object " + (i + 1);
            String name = text(o, "name", xml, where, true).trim();
            Element bb = child(o, "bndbox");
            if (bb == null) {
                throw new VocFormatException(xml, where + " (" + name + ") has no <bndbox>");
            }
            double[] box = {number(bb, "xmin", xml, where), number(bb, "ymin", xml, where),
                number(bb, "xmax", xml, where), number(bb, "ymax", xml, where)};
            if (box[2] < box[0] || box[3] < box[1]) {
                throw new VocFormatException(xml, where + " (" + name + ") has an empty box " + java.util.Arrays.toString(box));
            }
            String difficult = text(o, "difficult", xml, where, false);
            String truncated = text(o, "truncated", xml, where, false);
            objects.add(new VocObject(name, box, "1".equals(difficult == null ? null : difficult.trim()),
                    "1".equals(truncated == null ? null : truncated.trim())));
        }
        return new VocAnnotation(imageId, fileName, w, h, objects);
    }

    /**
     * Reads {@code SegmentationClass/<imageId>.png}; see {@link #segmentation(Path, int)}.
     *
     * @param root the dataset folder
     * @param imageId the image's id (file stem)
     * @param numClasses classes including background (21 for VOC)
     * @return the class map
     * @throws VocFormatException as {@link #segmentation(Path, int)}
     * @throws IOException when reading fails otherwise
     */
    public static SegmentationMap segmentation(Path root, String imageId, int numClasses) throws IOException {
        return segmentation(root.resolve("SegmentationClass/" + imageId + ".png"), numClasses);
    }

    /**
     * A VOC class map: a palette PNG with VOC's palette (indices are classes) or an 8-bit
     * grayscale PNG of indices (as SBD's). Indices must be below {@code numClasses} or 255.
     * A palette's entries 0..{@code numClasses} and 255 must be VOC's colours.
     *
     * @param png the PNG file
     * @param numClasses classes including background (21 for VOC)
     * @return the class map, the image's size
     * @throws VocFormatException when the file is missing, not a readable PNG, neither palette nor 8-bit
     *     grayscale, has a palette other than VOC's, or holds an index out of range (naming the pixel)
     * @throws IOException when reading fails otherwise
     */
    public static SegmentationMap segmentation(Path png, int numClasses) throws IOException {
        java.awt.image.BufferedImage img;
        try {
            img = javax.imageio.ImageIO.read(png.toFile());
        } catch (javax.imageio.IIOException e) {
            if (!Files.exists(png)) {
                throw new VocFormatException(png, "no such segmentation file");
            }
            throw new VocFormatException(png, "not a readable PNG (" + e.getMessage() + ")");
        }
        if (img == null) {
            throw new VocFormatException(png, Files.exists(png) ? "not a readable PNG" : "no such segmentation file");
        }
        java.awt.image.ColorModel cm = img.getColorModel();
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] labels = new byte[w * h];
        if (cm instanceof java.awt.image.IndexColorModel icm && img.getRaster().getNumBands() == 1) {
            for (int i = 0; i < Math.min(icm.getMapSize(), 256); i++) {
                int[] want = VocPalette.rgb(i);
                if ((i <= numClasses || i == 255) && (icm.getRed(i) != want[0] || icm.getGreen(i) != want[1] || icm.getBlue(i) != want[2])) {
                    throw new VocFormatException(png, "unexpected palette: entry " + i + " is (" + icm.getRed(i) + ", "
                            + icm.getGreen(i) + ", " + icm.getBlue(i) + "), VOC's is (" + want[0] + ", " + want[1] + ", " + want[2] + ")");
                }
            }
        } else if (img.getType() != java.awt.image.BufferedImage.TYPE_BYTE_GRAY) {
            throw new VocFormatException(png, "expected a palette or 8-bit grayscale PNG of class indices, got "
                    + cm.getNumComponents() + " colour components");
        }
        int[] px = img.getRaster().getPixels(0, 0, w, h, (int[]) null);
        for (int i = 0; i < px.length; i++) {
            int v = px[i];
            if (v >= numClasses && v != 255) {
                throw new VocFormatException(png, "class index " + v + " at (" + i % w + ", " + i / w
                        + ") is outside 0.." + (numClasses - 1) + " and 255");
            }
            labels[i] = (byte) v;
        }
        return new SegmentationMap(w, h, labels);
    }

    /**
     * A text file's lines; bytes that are not UTF-8 are an error naming the file.
     *
     * @param f the text file
     * @return its lines, without line terminators
     * @throws VocFormatException when the file is not UTF-8
     * @throws IOException when it cannot be read (a missing file: {@link java.nio.file.NoSuchFileException})
     */
    public static List<String> lines(Path f) throws IOException {
        try {
            return Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new VocFormatException(f, "is not UTF-8 text");
        }
    }

    private static Element child(Element e, String tag) {
        NodeList l = e.getElementsByTagName(tag);
        return l.getLength() == 0 ? null : (Element) l.item(0);
    }

    private static String text(Element e, String tag, Path xml, String where, boolean required) throws VocFormatException {
        Element c = child(e, tag);
        if (c == null) {
            if (required) {
                throw new VocFormatException(xml, where + " has no <" + tag + ">");
            }
            return null;
        }
        return c.getTextContent();
    }

    private static double number(Element e, String tag, Path xml, String where) throws VocFormatException {
        String s = text(e, tag, xml, where, true);
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException ex) {
            throw new VocFormatException(xml, where + ": <" + tag + "> is not a number: '" + s.trim() + "'");
        }
    }
}
