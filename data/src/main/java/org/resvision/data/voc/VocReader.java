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

/** Reads the PASCAL VOC layout: {@code ImageSets/Main/<split>.txt} and {@code Annotations/*.xml}. */
public final class VocReader {

    /** The 20 VOC classes, in the devkit's order (training labels 1..20; 0 is background). */
    public static final List<String> VOC_CLASSES = List.of(
            "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
            "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor");

    private VocReader() {}

    /** The image ids of a split ({@code ImageSets/Main/<split>.txt}, one id per line). */
    public static List<String> split(Path root, String split) throws IOException {
        Path f = root.resolve("ImageSets/Main/" + split + ".txt");
        try {
            List<String> ids = new ArrayList<>();
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
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

    /** Reads {@code Annotations/<imageId>.xml}. */
    public static VocAnnotation annotation(Path root, String imageId) throws IOException {
        return read(root.resolve("Annotations/" + imageId + ".xml"), imageId);
    }

    /** Reads one annotation file; a missing field is an error naming the file and the object. */
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
