"""What many test modules share: servers, content copies, PDF readers. Test modules import
from here, never from each other."""
