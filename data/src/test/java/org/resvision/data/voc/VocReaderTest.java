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
}
