package org.resvision.data.voc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocReaderTest {

    @TempDir Path root;

    @Test
    void readsSplitsObjectsAndFlags() throws Exception {
        Files.createDirectories(root.resolve("ImageSets/Main"));
        Files.createDirectories(root.resolve("Annotations"));
        Files.writeString(root.resolve("ImageSets/Main/val.txt"), "000001\n000002 -1\n\n");
        Files.writeString(root.resolve("Annotations/000001.xml"), """
                <annotation><filename>000001.jpg</filename><size><width>353</width><height>500</height></size>
                <object><name>dog</name><truncated>1</truncated><difficult>0</difficult>
                  <bndbox><xmin>48</xmin><ymin>240</ymin><xmax>195</xmax><ymax>371</ymax></bndbox></object>
                <object><name> person </name><difficult>1</difficult>
                  <bndbox><xmin>8</xmin><ymin>12</ymin><xmax>352</xmax><ymax>498</ymax></bndbox></object>
                </annotation>""");
        assertEquals(List.of("000001", "000002"), VocReader.split(root, "val"));
        VocAnnotation a = VocReader.annotation(root, "000001");
        assertEquals(353, a.width());
        assertEquals(2, a.objects().size());
        VocObject dog = a.objects().get(0);
        assertArrayEquals(new double[] {48, 240, 195, 371}, dog.box());
        assertTrue(dog.truncated());
        assertEquals("person", a.objects().get(1).name());
        assertTrue(a.objects().get(1).difficult());
        assertEquals(14, VocReader.VOC_CLASSES.indexOf("person"));
    }

    @Test
    void missingFieldsAndBrokenXmlNameFileAndObject() throws Exception {
        Path noBox = root.resolve("a.xml");
        Files.writeString(noBox, "<annotation><object><name>cat</name></object></annotation>");
        assertEquals(noBox + ": object 1 (cat) has no <bndbox>",
                assertThrows(VocFormatException.class, () -> VocReader.read(noBox, "a")).getMessage());
        Path badNum = root.resolve("b.xml");
        Files.writeString(badNum, "<annotation><object><name>cat</name><bndbox><xmin>x</xmin><ymin>1</ymin>"
                + "<xmax>2</xmax><ymax>3</ymax></bndbox></object></annotation>");
        assertEquals(badNum + ": object 1: <xmin> is not a number: 'x'",
                assertThrows(VocFormatException.class, () -> VocReader.read(badNum, "b")).getMessage());
        Path broken = root.resolve("c.xml");
        Files.writeString(broken, "<annotation><object>");
        assertTrue(assertThrows(VocFormatException.class, () -> VocReader.read(broken, "c")).getMessage()
                .startsWith(broken + ": malformed XML"));
        assertTrue(assertThrows(VocFormatException.class, () -> VocReader.split(root, "test")).getMessage()
                .contains("no such split file"));
    }

    @Test
    void segmentationPngsPaletteGrayscaleAndTheirErrors() throws Exception {
        java.awt.image.BufferedImage pal = new java.awt.image.BufferedImage(3, 2,
                java.awt.image.BufferedImage.TYPE_BYTE_INDEXED, VocPalette.colorModel());
        pal.getRaster().setPixels(0, 0, 3, 2, new int[] {0, 1, 255, 20, 0, 0});
        Path p = root.resolve("pal.png");
        javax.imageio.ImageIO.write(pal, "png", p.toFile());
        SegmentationMap m = VocReader.segmentation(p, 21);
        assertEquals(3, m.width());
        assertEquals(255, m.label(2, 0));
        assertEquals(20, m.label(0, 1));
        assertTrue(assertThrows(VocFormatException.class, () -> VocReader.segmentation(p, 10)).getMessage()
                .endsWith("pal.png: class index 20 at (0, 1) is outside 0..9 and 255"));

        java.awt.image.BufferedImage gray = new java.awt.image.BufferedImage(2, 1, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setPixels(0, 0, 2, 1, new int[] {3, 255});
        Path g = root.resolve("gray.png");
        javax.imageio.ImageIO.write(gray, "png", g.toFile());
        assertEquals(3, VocReader.segmentation(g, 21).label(0, 0));

        byte[] r = new byte[256];
        byte[] gg = new byte[256];
        byte[] b = new byte[256];
        r[1] = (byte) 200; // class 1 drawn white-ish: not VOC's palette
        java.awt.image.BufferedImage odd = new java.awt.image.BufferedImage(2, 1, java.awt.image.BufferedImage.TYPE_BYTE_INDEXED,
                new java.awt.image.IndexColorModel(8, 256, r, gg, b));
        Path o = root.resolve("odd.png");
        javax.imageio.ImageIO.write(odd, "png", o.toFile());
        assertTrue(assertThrows(VocFormatException.class, () -> VocReader.segmentation(o, 21)).getMessage()
                .contains("unexpected palette: entry 1 is (200, 0, 0), VOC's is (128, 0, 0)"));

        java.awt.image.BufferedImage rgb = new java.awt.image.BufferedImage(2, 1, java.awt.image.BufferedImage.TYPE_INT_RGB);
        Path c = root.resolve("rgb.png");
        javax.imageio.ImageIO.write(rgb, "png", c.toFile());
        assertTrue(assertThrows(VocFormatException.class, () -> VocReader.segmentation(c, 21)).getMessage()
                .contains("expected a palette or 8-bit grayscale PNG"));
        assertTrue(assertThrows(VocFormatException.class, () -> VocReader.segmentation(root, "none", 21)).getMessage()
                .endsWith("none.png: no such segmentation file"));
    }
}
