"""Documents: folders and files, storage on disk, checks of PDFs from outside, document templates, the drive."""
